import { useQuery } from '@tanstack/react-query';
import { type FormEvent, useState } from 'react';
import { Badge } from '@/components/ui/badge';
import { Button } from '@/components/ui/button';
import { Card, CardHeader, CardTitle } from '@/components/ui/card';
import { ConfirmButton } from '@/components/ui/confirm';
import { type Column, DataTable } from '@/components/ui/data-table';
import { Input, Label, Select } from '@/components/ui/input';
import { EmptyState, ErrorState, LoadingState } from '@/components/ui/states';
import type { AdminUserRow, IpBan } from '@/lib/api/pending';
import { sessionQuery } from '@/lib/api/session';
import { formatIstDateTime } from '@/lib/format';
import { bansQuery, useBanIp, useCreateUser, usersQuery, useSetActive, useUnbanIp } from './api';

const DURATIONS: [string, number | null][] = [
  ['1 hour', 3600],
  ['24 hours', 86_400],
  ['7 days', 7 * 86_400],
  ['30 days', 30 * 86_400],
  ['Permanent', null],
];

export function AdminPage() {
  const session = useQuery(sessionQuery);
  if (session.data && !session.data.user?.is_admin) {
    return <EmptyState title="Administrators only">Ask an administrator for access.</EmptyState>;
  }
  return (
    <div className="space-y-3">
      <h1 className="text-base font-semibold">Administration</h1>
      <Users />
      <Bans />
    </div>
  );
}

function Users() {
  const users = useQuery(usersQuery);
  const create = useCreateUser();
  const setActive = useSetActive();
  const me = useQuery(sessionQuery).data?.user?.id;
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const [admin, setAdmin] = useState(false);

  async function submit(event: FormEvent) {
    event.preventDefault();
    await create.mutateAsync({ username, password, is_admin: admin });
    setUsername('');
    setPassword('');
    setAdmin(false);
  }

  const columns: Column<AdminUserRow>[] = [
    {
      id: 'username',
      header: 'User',
      cell: (u) => <span className="font-medium">{u.username}</span>,
      sortValue: (u) => u.username,
    },
    {
      id: 'role',
      header: 'Role',
      cell: (u) => (u.is_admin ? <Badge tone="buy">admin</Badge> : <Badge>trader</Badge>),
    },
    {
      id: 'totp',
      header: '2FA',
      cell: (u) => (u.totp_enabled ? <Badge tone="profit">on</Badge> : <Badge>off</Badge>),
    },
    {
      id: 'state',
      header: 'State',
      cell: (u) => (u.is_active ? <Badge tone="profit">active</Badge> : <Badge tone="loss">disabled</Badge>),
    },
    {
      id: 'created',
      header: 'Created',
      cell: (u) => formatIstDateTime(u.created_at),
      sortValue: (u) => u.created_at,
    },
    {
      id: 'actions',
      header: '',
      cell: (u) =>
        u.id === me ? null : (
          <div className="flex justify-end">
            <Button
              size="xs"
              variant="outline"
              onClick={() => setActive.mutate({ id: u.id, active: !u.is_active })}
            >
              {u.is_active ? 'Disable' : 'Enable'}
            </Button>
          </div>
        ),
    },
  ];

  return (
    <Card>
      <CardHeader>
        <CardTitle>Users</CardTitle>
      </CardHeader>
      <form
        className="flex flex-wrap items-end gap-2 border-b p-3"
        onSubmit={(e) => void submit(e).catch(() => {})}
      >
        <div className="space-y-1">
          <Label htmlFor="new-username">Username</Label>
          <Input
            id="new-username"
            required
            value={username}
            onChange={(e) => setUsername(e.target.value)}
            className="w-40"
          />
        </div>
        <div className="space-y-1">
          <Label htmlFor="new-password">Password</Label>
          <Input
            id="new-password"
            type="password"
            autoComplete="new-password"
            required
            value={password}
            onChange={(e) => setPassword(e.target.value)}
            className="w-44"
          />
        </div>
        <label className="flex h-8 items-center gap-1 text-xs">
          <input type="checkbox" checked={admin} onChange={(e) => setAdmin(e.target.checked)} /> administrator
        </label>
        <Button type="submit" size="sm" disabled={create.isPending}>
          Add user
        </Button>
        {create.error ? <p className="w-full text-xs text-loss">{create.error.message}</p> : null}
      </form>
      {users.isPending ? (
        <LoadingState />
      ) : users.isError ? (
        <ErrorState error={users.error} onRetry={() => void users.refetch()} />
      ) : (
        <DataTable label="Users" rows={users.data} columns={columns} rowKey={(u) => String(u.id)} />
      )}
    </Card>
  );
}

function Bans() {
  const bans = useQuery(bansQuery);
  const ban = useBanIp();
  const unban = useUnbanIp();
  const [ip, setIp] = useState('');
  const [reason, setReason] = useState('');
  const [duration, setDuration] = useState('86400');

  async function submit(event: FormEvent) {
    event.preventDefault();
    await ban.mutateAsync({
      ip,
      reason,
      duration_seconds: duration === 'permanent' ? null : Number(duration),
    });
    setIp('');
    setReason('');
  }

  const columns: Column<IpBan>[] = [
    { id: 'ip', header: 'IP', cell: (b) => <code>{b.ip}</code>, sortValue: (b) => b.ip },
    { id: 'reason', header: 'Reason', cell: (b) => b.reason },
    {
      id: 'created',
      header: 'Banned at',
      cell: (b) => formatIstDateTime(b.created_at),
      sortValue: (b) => b.created_at,
    },
    {
      id: 'expires',
      header: 'Expires',
      cell: (b) => (b.expires_at ? formatIstDateTime(b.expires_at) : 'never'),
    },
    {
      id: 'actions',
      header: '',
      cell: (b) => (
        <div className="flex justify-end">
          <ConfirmButton
            title={`Unban ${b.ip}?`}
            description="Requests from this address are accepted again."
            confirmLabel="Unban"
            onConfirm={() => unban.mutateAsync(b.ip)}
          >
            Unban
          </ConfirmButton>
        </div>
      ),
    },
  ];

  return (
    <Card>
      <CardHeader>
        <CardTitle>IP bans</CardTitle>
      </CardHeader>
      <form
        className="flex flex-wrap items-end gap-2 border-b p-3"
        onSubmit={(e) => void submit(e).catch(() => {})}
      >
        <div className="space-y-1">
          <Label htmlFor="ban-ip">IP address</Label>
          <Input id="ban-ip" required value={ip} onChange={(e) => setIp(e.target.value)} className="w-40" />
        </div>
        <div className="space-y-1">
          <Label htmlFor="ban-reason">Reason</Label>
          <Input
            id="ban-reason"
            value={reason}
            onChange={(e) => setReason(e.target.value)}
            className="w-56"
          />
        </div>
        <div className="space-y-1">
          <Label htmlFor="ban-duration">Duration</Label>
          <Select
            id="ban-duration"
            value={duration}
            onChange={(e) => setDuration(e.target.value)}
            className="w-32"
          >
            {DURATIONS.map(([label, seconds]) => (
              <option key={label} value={seconds === null ? 'permanent' : String(seconds)}>
                {label}
              </option>
            ))}
          </Select>
        </div>
        <Button type="submit" size="sm" variant="destructive" disabled={ban.isPending}>
          Ban
        </Button>
        {ban.error ? <p className="w-full text-xs text-loss">{ban.error.message}</p> : null}
      </form>
      {bans.isPending ? (
        <LoadingState />
      ) : bans.isError ? (
        <ErrorState error={bans.error} onRetry={() => void bans.refetch()} />
      ) : bans.data.length === 0 ? (
        <EmptyState title="No banned addresses" />
      ) : (
        <DataTable label="IP bans" rows={bans.data} columns={columns} rowKey={(b) => b.ip} />
      )}
    </Card>
  );
}
