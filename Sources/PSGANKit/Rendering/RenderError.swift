/// A render that cannot go ahead, with a one-line message saying why.
public struct RenderError: Error, CustomStringConvertible, Sendable {
    /// The message.
    public let description: String

    /// Creates an error with `message`.
    public init(_ message: String) {
        description = message
    }
}
