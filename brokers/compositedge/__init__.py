"""compositedge: a Symphony XTS member; all code lives in brokers.families.xts."""
