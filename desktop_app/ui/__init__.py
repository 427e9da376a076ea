"""Qt widgets; they subscribe to pipeline events and never write the store."""
