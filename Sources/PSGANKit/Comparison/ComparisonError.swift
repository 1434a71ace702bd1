/// Two inputs that cannot be compared (different frame counts or sizes, an unreadable file).
///
/// `psgan compare` exits with status 2 for these, keeping 1 for frames that were compared and failed.
public struct ComparisonError: Error, CustomStringConvertible, Sendable {
    /// What is wrong, naming the file or frame.
    public let description: String

    /// Creates an error with `message`.
    public init(_ message: String) {
        description = message
    }
}
