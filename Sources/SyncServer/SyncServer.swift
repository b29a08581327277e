/// The SwiftNIO sync server. Connections, authentication and push/pull over the server store
/// arrive with the sync-server issue; this target exists so the module graph is in place.
public enum SyncServerModule {}
