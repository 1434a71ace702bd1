/// A character file or keyframe that cannot be used, naming the file and the problem.
public struct CharacterError: Error, CustomStringConvertible, Sendable {
    /// The file or option the problem was found in.
    public let path: String
    /// What is wrong.
    public let problem: String

    /// Creates an error for `path` describing `problem`.
    public init(path: String, _ problem: String) {
        self.path = path
        self.problem = problem
    }

    public var description: String { "\(path): \(problem)" }
}
