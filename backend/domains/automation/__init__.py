"""Automation: the Action Center (semi-auto order queue), strategies with their webhooks, Telegram."""
