import Foundation

// The sync server (serve, token, import) arrives with the sync-server issue.
FileHandle.standardError.write(Data("error: accord-server is not built yet; it arrives with the sync-server issue\n".utf8))
exit(1)
