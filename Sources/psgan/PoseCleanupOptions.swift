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

    func validate() throws {
        if let problem = cleanup(target: (512, 512)).problem { throw ValidationError(problem) }
    }

    /// The cleanup, retargeting onto `target` when `--retarget` is given.
    func cleanup(target: (width: Double, height: Double)) -> PoseCleanup {
        let mode: PoseRetargeting? = retarget.map {
            switch $0.kind {
            case .canvas: return .fitCanvas
            case .figure: return .fitFigure(margin: margin)
            case .scale(let s): return .fixedScale(s)
            }
        }
        return PoseCleanup(minConfidence: minConfidence, flip: flip, maxGap: maxGap,
                           smoothing: smooth ? OneEuroFilter(minCutoff: minCutoff, beta: beta, derivativeCutoff: dCutoff) : nil,
                           resampleFPS: resample, retargeting: mode.map { ($0, target.width, target.height) })
    }

    /// `poses` (read from `path`) cleaned up; errors name `path`.
    func apply(to poses: PoseSequence, path: String, target: (width: Double, height: Double)) throws -> PoseSequence {
        do {
            return try cleanup(target: target).apply(to: poses)
        } catch var error as PoseFileError {
            if error.file == nil { error.file = path }
            throw error
        }
    }
}

/// A `--retarget` value: `canvas`, `figure` or `scale:S`.
struct RetargetMode: ExpressibleByArgument {
    enum Kind { case canvas, figure, scale(Double) }
    let kind: Kind

    init?(argument: String) {
        switch argument.lowercased() {
        case "canvas", "fit-canvas": kind = .canvas
        case "figure", "fit-figure": kind = .figure
        default:
            let parts = argument.split(separator: ":")
            guard parts.count == 2, parts[0].lowercased() == "scale", let s = Double(parts[1]), s.isFinite, s > 0 else { return nil }
            kind = .scale(s)
        }
    }
}
