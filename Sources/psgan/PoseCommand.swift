import ArgumentParser

/// `psgan pose`: read, clean up, convert and look at pose sequences.
struct PoseCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "pose",
        abstract: "Convert, inspect and preview pose sequences (native, OpenPose, ComfyUI, COCO, MMPose, BVH).",
        subcommands: [PoseConvertCommand.self, PoseInspectCommand.self, PosePreviewCommand.self]
    )
}
