/// How a pose sequence is placed on a target canvas (the model's, or one asked for).
///
/// Every mode uses one uniform scale (aspect kept) and one offset for the whole sequence, so the
/// motion itself is unchanged.
public enum PoseRetargeting: Equatable, Sendable {
    /// Fit the pose canvas into the target, centred (``CanvasMapping/init(fitting:height:into:)``
    /// for a square target): `s = min(Wt / W, Ht / H)`. psgan's behaviour before retargeting existed.
    case fitCanvas
    /// Fit the figure's bounding box over the whole sequence into the target, centred, leaving
    /// `margin` (a fraction of the target's shorter side, 0 to below 0.5) on each side.
    case fitFigure(margin: Double)
    /// Scale by this factor and centre the figure's bounding box over the whole sequence on the target.
    case fixedScale(Double)

    /// A one-line problem with the mode's parameter, or `nil`.
    public var problem: String? {
        switch self {
        case .fitCanvas: return nil
        case .fitFigure(let margin):
            return margin.isFinite && margin >= 0 && margin < 0.5 ? nil : "the retargeting margin must be from 0 to below 0.5"
        case .fixedScale(let scale):
            return scale.isFinite && scale > 0 ? nil : "the retargeting scale must be above 0"
        }
    }

    /// The mapping that carries `poses` onto a `width x height` target canvas.
    public func mapping(for poses: PoseSequence, width: Double, height: Double) -> CanvasMapping {
        switch self {
        case .fitCanvas:
            let s = min(width / poses.canvasWidth, height / poses.canvasHeight)
            return CanvasMapping(scale: s, offsetX: (width - poses.canvasWidth * s) / 2,
                                 offsetY: (height - poses.canvasHeight * s) / 2)
        case .fitFigure(let margin):
            guard let box = FigureBounds(poses) else { return Self.fitCanvas.mapping(for: poses, width: width, height: height) }
            let pad = margin * min(width, height)
            // A figure with no width (or height) is fitted by its other side; a single point is only centred.
            let scales = [box.width > 0 ? (width - 2 * pad) / box.width : nil,
                          box.height > 0 ? (height - 2 * pad) / box.height : nil].compactMap { $0 }
            let s = scales.min() ?? 1
            return CanvasMapping(scale: s, offsetX: width / 2 - (box.minX + box.maxX) / 2 * s,
                                 offsetY: height / 2 - (box.minY + box.maxY) / 2 * s)
        case .fixedScale(let s):
            let box = FigureBounds(poses) ?? FigureBounds(minX: 0, minY: 0, maxX: poses.canvasWidth, maxY: poses.canvasHeight)
            return CanvasMapping(scale: s, offsetX: width / 2 - (box.minX + box.maxX) / 2 * s,
                                 offsetY: height / 2 - (box.minY + box.maxY) / 2 * s)
        }
    }

    /// `poses` carried onto a `width x height` canvas.
    public func apply(to poses: PoseSequence, width: Double, height: Double) -> PoseSequence {
        let mapping = mapping(for: poses, width: width, height: height)
        var result = poses
        result.canvasWidth = width
        result.canvasHeight = height
        result.frames = poses.frames.map { $0.map(mapping.apply) }
        return result
    }
}

extension PoseRetargeting {
    /// Reads a retargeting as `--retarget` and manifests write it: `canvas` (or `fit-canvas`),
    /// `figure` (or `fit-figure`, with `margin`) or `scale:S`; nil for anything else.
    public init?(parsing text: String, margin: Double = 0.1) {
        switch text.lowercased() {
        case "canvas", "fit-canvas":
            self = .fitCanvas
        case "figure", "fit-figure":
            self = .fitFigure(margin: margin)
        default:
            let parts = text.split(separator: ":")
            guard parts.count == 2, parts[0].lowercased() == "scale", let s = Double(parts[1]), s.isFinite, s > 0 else { return nil }
            self = .fixedScale(s)
        }
    }
}
