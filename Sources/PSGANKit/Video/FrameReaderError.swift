/// A file ``FrameReader`` cannot read: one line naming the file and the problem.
public struct FrameReaderError: Error, CustomStringConvertible, Sendable {
    /// The file or directory the problem was found in (as given).
    public let path: String
    /// What is wrong, without the file name.
    public let problem: String

    /// Creates an error for `path` describing `problem`.
    public init(path: String, _ problem: String) {
        self.path = path
        self.problem = problem
    }

    public var description: String { "\(path): \(problem)" }
}
