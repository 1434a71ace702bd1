import ArgumentParser
import PSGANKit

/// The `psgan` command: pose-driven animation from the command line.
@main
struct PSGAN: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "psgan",
        abstract: "Render a character performing a pose sequence with a PSGAN generator.",
        version: "0.1.0",
        subcommands: [RenderCommand.self, BatchCommand.self, PoseCommand.self, UpscaleCommand.self, CompareCommand.self,
                      ModelCommand.self, BenchCommand.self]
    )

    /// Parses the command line and runs the command; any error ends in one line (``ErrorText``).
    static func main() {
        do {
            var command = try parseAsRoot()
            try command.run()
        } catch {
            exit(withError: oneLine(error))
        }
    }

    /// `error` with its message made one bounded line, Foundation's wording replaced by a short
    /// reason; argument-parser's own errors (usage, help, exit codes) pass through unchanged.
    static func oneLine(_ error: Error) -> Error {
        if let validation = error as? ValidationError { return ValidationError(ErrorText.oneLine(validation.message)) }
        if String(reflecting: type(of: error)).hasPrefix("ArgumentParser.") { return error }
        return OneLineError(description: ErrorText.oneLine(error))
    }

    /// An error printed as its already-cleaned text.
    struct OneLineError: Error, CustomStringConvertible {
        let description: String
    }
}
