"""In-memory fakes of the ports; each passes the contract suite of its real adapter
(tests/contract)."""
