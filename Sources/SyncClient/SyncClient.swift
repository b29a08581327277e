/// The client sync engine (connect, hello, push the outbox, pull, apply). It arrives with the
/// client-sync issue; this target exists so the module graph is in place.
public enum SyncClientModule {}
