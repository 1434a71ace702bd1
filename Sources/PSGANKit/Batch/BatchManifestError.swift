/// A batch manifest that cannot be used: one line naming the file, the place in it (a job by index
/// and name, `defaults`, `characters[2]`, ...) and the problem.
public struct BatchManifestError: Error, CustomStringConvertible, Sendable {
    /// The manifest file.
    public let path: String
    /// Where in the manifest, e.g. `job 3 (ayumi-walk)`; empty for the manifest as a whole.
    public let place: String
    /// What is wrong.
    public let problem: String

    /// Creates an error for `place` in the manifest at `path`.
    public init(path: String, place: String, _ problem: String) {
        self.path = path
        self.place = place
        self.problem = problem
    }

    public var description: String { place.isEmpty ? "\(path): \(problem)" : "\(path): \(place): \(problem)" }
}
