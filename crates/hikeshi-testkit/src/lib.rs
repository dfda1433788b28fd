//! hikeshi-testkit
