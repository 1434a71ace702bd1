import ArgumentParser
import Foundation
import PSGANKit

/// The cleanup options (`docs/pose-cleanup.md`), shared by `psgan render` and `psgan pose ...`.
struct PoseCleanupOptions: ParsableArguments {
    @Option(name: .customLong("min-confidence"), help: ArgumentHelp("Make keypoints with a lower confidence missing.", valueName: "C"))
    var minConfidence: Double?

    @Flag(help: "Mirror left to right (x and the left/right keypoints).")
    var flip = false

    @Option(name: .customLong("max-gap"), help: ArgumentHelp("Fill gaps of up to N frames in which a keypoint is missing (default 0: off).", valueName: "N"))
    var maxGap = 0

    @Flag(help: "Smooth with the One Euro filter (see --min-cutoff, --beta, --d-cutoff).")
    var smooth = false

    @Option(name: .customLong("min-cutoff"), help: ArgumentHelp("One Euro: cutoff in Hz at rest; lower smooths more.", valueName: "HZ"))
    var minCutoff = 1.0

    @Option(help: ArgumentHelp("One Euro: cutoff increase per pixel/s of speed; higher lags less.", valueName: "B"))
    var beta = 0.01

    @Option(name: .customLong("d-cutoff"), help: ArgumentHelp("One Euro: cutoff in Hz of the speed estimate.", valueName: "HZ"))
    var dCutoff = 1.0

    @Option(help: ArgumentHelp("Resample the poses to this frame rate (interpolating).", valueName: "FPS"))
    var resample: Double?

    @Option(help: ArgumentHelp("Place the poses on the target canvas: canvas (fit the pose canvas), figure (fit the figure's box over the sequence, see --margin) or scale:S.", valueName: "MODE"))
    var retarget: RetargetMode?

    @Option(help: ArgumentHelp("Margin around the figure for --retarget figure, a fraction of the canvas' shorter side.", valueName: "M"))
    var margin = 0.1

    @Option(parsing: .upToNextOption, help: ArgumentHelp("Make the clip loop: pingpong (forward then back), or blend N (the last N frames blended into the first).",
                                                         valueName: "pingpong|blend N"))
    var loop: [String] = []

    func validate() throws {
        if !loop.isEmpty, PoseLoop(parsing: loop.joined(separator: " ")) == nil {
            throw ValidationError("--loop must be pingpong or blend N (N frames, 1 or more), found '\(loop.joined(separator: " "))'")
        }
        if let problem = cleanup.problem { throw ValidationError(problem) }
    }

    /// The cleanup the options ask for.
    var cleanup: PoseCleanup {
        PoseCleanup(minConfidence: minConfidence, flip: flip, maxGap: maxGap,
                    smoothing: smooth ? OneEuroFilter(minCutoff: minCutoff, beta: beta, derivativeCutoff: dCutoff) : nil,
                    resampleFPS: resample, retargeting: retarget.flatMap { PoseRetargeting(parsing: $0.text, margin: margin) },
                    loop: loop.isEmpty ? nil : PoseLoop(parsing: loop.joined(separator: " ")))
    }
}

/// A `--retarget` value: `canvas`, `figure` or `scale:S` (read by ``PoseRetargeting/init(parsing:margin:)``
/// once `--margin` is known).
struct RetargetMode: ExpressibleByArgument {
    let text: String

    init?(argument: String) {
        guard PoseRetargeting(parsing: argument) != nil else { return nil }
        text = argument
    }
}
