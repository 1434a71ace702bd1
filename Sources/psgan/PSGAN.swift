import ArgumentParser

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
}
