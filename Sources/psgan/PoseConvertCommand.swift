import ArgumentParser
import Foundation
import PSGANKit

/// `psgan pose convert`: any pose input to the native format, cleaned up on the way.
struct PoseConvertCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "convert",
        abstract: "Convert pose input to a native psgan pose file, with optional cleanup.",
        discussion: """
            Examples:
              psgan pose convert op/ --canvas 1280x720 --out clip.json --min-confidence 0.2 --max-gap 5 --smooth
              psgan pose convert mocap.bvh --azimuth 45 --resample 30 --frames 0:150 --out walk3q.json
            """
    )

    @Argument(help: "Pose input: a file of any supported format, or a directory of OpenPose files.")
    var input: String

    @Option(help: "The native pose file to write (written atomically).")
    var out: String

    @OptionGroup var reading: PoseInputOptions
    @OptionGroup var cleaning: PoseCleanupOptions

    @Option(help: ArgumentHelp("Target canvas for --retarget (default: the input's canvas).", valueName: "WxH"))
    var size: CanvasSize?

    @Option(help: ArgumentHelp("Keep frames A to B-1 of the cleaned-up sequence (zero-based).", valueName: "A:B"))
    var frames: FrameRange?

    func validate() throws {
        if size != nil && cleaning.retarget == nil {
            throw ValidationError("--size is the canvas --retarget places the poses on; give --retarget too")
        }
    }

    func run() throws {
        var poses = try reading.input(input, cleaning: cleaning).read(onto: size)
        if let frames {
            let range = try frames.resolve(frameCount: poses.frameCount)
            poses.frames = Array(poses.frames[range])
        }
        if poses.fps == nil { poses.fps = PoseSequence.assumedFPS }
        try PoseFileWriter.write(poses, to: URL(fileURLWithPath: out))
        print("wrote \(ErrorText.escaped(out)): \(poses.frameCount) frames, \(poses.layout), \(PoseInspectCommand.format(poses.fps ?? 0)) fps, canvas \(PoseInspectCommand.format(poses.canvasWidth))x\(PoseInspectCommand.format(poses.canvasHeight))")
    }
}
