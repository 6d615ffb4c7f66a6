/// An image the server may read: given on the command line or uploaded from the page.
struct LibraryImage: Codable, Sendable {
    var id: String
    var name: String
    var width: Int
    var height: Int
    var format: String
    var uploaded: Bool
}
