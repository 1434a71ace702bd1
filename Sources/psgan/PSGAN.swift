import ArgumentParser
import CPUFeatures
import Foundation
import PSGANKit

/// The `psgan` command: pose-driven animation from the command line.
@main
struct PSGAN: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "psgan",
        abstract: "Render a character performing a pose sequence with a PSGAN generator.",
        version: PSGANVersion.string,
        subcommands: [RenderCommand.self, BatchCommand.self, SceneCommand.self, CharactersCommand.self, CharacterCommand.self, PoseCommand.self, UpscaleCommand.self, CompareCommand.self,
                      ModelCommand.self, BenchCommand.self]
    )

    /// Parses the command line and runs the command; any error ends in one line (``ErrorText``),
    /// followed for option errors by argument-parser's usage lines.
    /// The command line this process was started with (`psgan` and the arguments), as provenance records it.
    static var commandLine: String {
        Provenance.commandLine(["psgan"] + CommandLine.arguments.dropFirst())
    }

    static func main() {
        // Before anything else: the library's code is compiled for AVX2 and FMA, and on a processor
        // without them its first instruction of that kind would end the process with SIGILL.
        guard psgan_cpu_runs_kernels() != 0 else {
            let missing = String(cString: psgan_cpu_missing_feature())
            FileHandle.standardError.write(Data(("Error: psgan needs a CPU with AVX2 and FMA (Intel Haswell, AMD Excavator "
                + "or newer, 2013 on); this one has no \(missing)\n").utf8))
            Foundation.exit(1)
        }
        do {
            var command = try parseAsRoot()
            try command.run()
        } catch {
            let code = exitCode(for: error)
            guard code != .success else { exit(withError: error) }  // --help, --version
            let text = fullMessage(for: oneLine(error))
            if !text.isEmpty {
                FileHandle.standardError.write(Data((Self.oneLineMessage(text) + "\n").utf8))
            }
            Foundation.exit(code.rawValue)
        }
    }

    /// `error` with its message made one bounded line, Foundation's wording replaced by a short
    /// reason; argument-parser's own errors (usage, help, exit codes, validation) pass through, and
    /// ``oneLineMessage(_:)`` cleans their text.
    static func oneLine(_ error: Error) -> Error {
        if String(reflecting: type(of: error)).hasPrefix("ArgumentParser.") { return error }
        return OneLineError(description: ErrorText.oneLine(error))
    }

    /// argument-parser's full message with its error part made one bounded line: that part repeats
    /// option values as typed (newlines and all) and may list choices on lines of their own; the
    /// "Help:" and "Usage:" lines after it stay as they are.
    static func oneLineMessage(_ text: String) -> String {
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        let trailer = lines.dropFirst().firstIndex { $0.hasPrefix("Help: ") || $0.hasPrefix("Usage: ") } ?? lines.count
        var message = lines[0]
        for line in lines[1 ..< trailer] {
            // A choices list ("  - h264") reads as a list on one line; anything else was a newline typed in a value.
            message += line.hasPrefix("  - ") ? " " + line.dropFirst(2) : "\n" + line
        }
        return ([ErrorText.oneLine(message)] + lines[trailer...].filter { !$0.isEmpty }).joined(separator: "\n")
    }

    /// An error printed as its already-cleaned text.
    struct OneLineError: Error, CustomStringConvertible {
        let description: String
    }
}
