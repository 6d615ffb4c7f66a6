/// A model install started from the page, as the page is told about it.
struct InstallStatus: LiveStatus {
    enum State: String, Codable, Sendable { case installing, fetching, measuring, done, failed }
    var id: String
    /// The manifest's path or URL, as given.
    var source: String
    var state = State.installing
    var model: String?
    var variant: String?
    var bytesDone: Int64 = 0
    var bytesTotal: Int64 = 0
    /// The variant choice and the measured table (`--explain`'s lines).
    var explanation: [String] = []
    var error: String?

    var finished: Bool { state == .done || state == .failed }
}
