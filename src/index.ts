// The public surface of the `cometmq` package: what users import. Everything else is internal.
export {};
