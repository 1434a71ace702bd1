import ArgumentParser

/// `psgan model`: make and examine generator files.
struct ModelCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "model",
        abstract: "Make and examine PSGAN generator files.",
        subcommands: [ModelInitCommand.self, ModelInspectCommand.self, ModelEvalCommand.self]
    )
}
