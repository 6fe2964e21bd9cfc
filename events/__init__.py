"""Domain events: the catalogue, the transactional outbox and (later) the brokers."""
