"""Shoonya (Finvasia): a member of the Noren family (`brokers.families.noren`)."""
