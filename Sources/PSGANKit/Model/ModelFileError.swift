/// A model file that cannot be used, with a one-line message naming the file and the problem.
///
/// Every check on a safetensors file (header, offsets, dtypes, shapes, values) reports through
/// this type, so the CLI can print `error: <description>` and exit non-zero.
public struct ModelFileError: Error, CustomStringConvertible, Sendable {
    /// The file the problem was found in (as the user named it).
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
