"""Domain: network bundles and orders, the one cost model, the inventory ledger, orchestration."""
