import ArgumentParser
import Foundation
import PSGANKit

/// `psgan pose inspect`: what a pose input holds.
struct PoseInspectCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "inspect",
        abstract: "Print a pose sequence's format, frames, frame rate, canvas, missing keypoints and figure box."
    )

    @Argument(help: "Pose input: a file of any supported format, or a directory of OpenPose files.")
    var input: String

    @OptionGroup var reading: PoseInputOptions
    @OptionGroup var cleaning: PoseCleanupOptions

    func run() throws {
        let format = try reading.from ?? PoseFileReader.format(of: URL(fileURLWithPath: input))
        let poses = try reading.input(input, cleaning: cleaning).read()
        var rows: [(String, String)] = [
            ("format", format.rawValue),
            ("layout", "\(poses.layout) (\(poses.keypointCount) keypoints)"),
            ("frames", "\(poses.frameCount)"),
            ("fps", poses.fps.map { Self.format($0) } ?? "not recorded (30 assumed)"),
            ("duration", String(format: "%.2f s", Double(poses.frameCount) / (poses.fps ?? PoseSequence.assumedFPS))),
            ("canvas", "\(Self.format(poses.canvasWidth))x\(Self.format(poses.canvasHeight))"),
        ]
        if let box = FigureBounds(poses) {
            rows.append(("figure box", "x \(Self.format(box.minX))..\(Self.format(box.maxX)), y \(Self.format(box.minY))..\(Self.format(box.maxY)) (\(Self.format(box.width)) x \(Self.format(box.height)))"))
        } else {
            rows.append(("figure box", "none (no keypoint is present)"))
        }
        print(input)
        for (key, value) in rows { print("  \(key.padding(toLength: 11, withPad: " ", startingAt: 0)) \(value)") }
        print("  missing (frames without the keypoint):")
        let names = KeypointLayout.builtIn(named: poses.layout)?.keypointNames
        for (k, count) in poses.missingCounts.enumerated() {
            let name = names.map { $0[k] } ?? "keypoint \(k)"
            print("    \(String(k).padding(toLength: 3, withPad: " ", startingAt: 0)) \(name.padding(toLength: 10, withPad: " ", startingAt: 0)) \(count)")
        }
    }

    /// A number for display: whole numbers bare, others with two decimals.
    static func format(_ value: Double) -> String { value.displayed(decimals: 2) }
}
