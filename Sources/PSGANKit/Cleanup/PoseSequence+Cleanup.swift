import Foundation

/// The cleanup filters, one method each; ``PoseCleanup`` applies them in their documented order.
extension PoseSequence {
    /// The frame rate filters assume when the source recorded none (OpenPose, COCO, MMPose): 30.
    public static let assumedFPS = 30.0

    /// Keypoints whose confidence is below `minimum` made missing.
    public func thresholded(minConfidence minimum: Double) -> PoseSequence {
        var result = self
        result.frames = frames.map { $0.map { $0.confidence < minimum ? .missing : $0 } }
        return result
    }

    /// Mirrored left to right: `x' = W - x`, and every left keypoint swapped with its right twin
    /// (`LShoulder` with `RShoulder`, ...), so the figure is still labelled from its own point of view.
    ///
    /// Only the built-in layouts, whose left and right keypoints are known, can be flipped.
    public func flippedHorizontally() throws -> PoseSequence {
        guard let layout = KeypointLayout.builtIn(named: self.layout), layout.count == keypointCount else {
            throw PSGANError(.poses, file: nil, problem: "cannot flip the layout '\(self.layout)': only coco18 and body25 have known left and right keypoints")
        }
        let twin = layout.keypointNames.enumerated().map { i, name -> Int in
            let swapped: String
            if name.hasPrefix("L") { swapped = "R" + name.dropFirst() }
            else if name.hasPrefix("R") { swapped = "L" + name.dropFirst() }
            else { return i }
            return layout.index(of: swapped) ?? i
        }
        var result = self
        result.frames = frames.map { frame in
            twin.map { j in
                let k = frame[j]
                return k.isPresent ? Keypoint(x: canvasWidth - k.x, y: k.y, confidence: k.confidence) : k
            }
        }
        return result
    }

    /// Gaps of at most `maxGap` frames in which a keypoint is missing, with the keypoint present on
    /// both sides, filled by linear interpolation (confidence: the lower of the two ends). Longer
    /// gaps, and gaps at the start or end, stay missing.
    public func fillingGaps(maxGap: Int) -> PoseSequence {
        guard maxGap > 0 else { return self }
        var result = self
        for k in 0..<keypointCount {
            var last: Int?
            for f in frames.indices where frames[f][k].isPresent {
                if let p = last, f - p > 1, f - p - 1 <= maxGap {
                    let a = frames[p][k], b = frames[f][k]
                    for g in (p + 1)..<f {
                        let t = Double(g - p) / Double(f - p)
                        result.frames[g][k] = Keypoint(x: a.x + (b.x - a.x) * t, y: a.y + (b.y - a.y) * t,
                                                       confidence: min(a.confidence, b.confidence))
                    }
                }
                last = f
            }
        }
        return result
    }

    /// Each keypoint's `x` and `y` smoothed over time by a One Euro filter (``OneEuroFilter``).
    ///
    /// The filter restarts after a missing stretch; missing keypoints stay missing. The time between
    /// frames is `1 / fps` (``assumedFPS`` when the sequence has no rate).
    public func smoothed(_ settings: OneEuroFilter) -> PoseSequence {
        let interval = 1 / (fps ?? Self.assumedFPS)
        var result = self
        for k in 0..<keypointCount {
            var fx = settings, fy = settings
            fx.reset()
            fy.reset()
            for f in frames.indices {
                let point = frames[f][k]
                guard point.isPresent else {
                    fx.reset()
                    fy.reset()
                    continue
                }
                result.frames[f][k].x = fx.filter(point.x, interval: interval)
                result.frames[f][k].y = fy.filter(point.y, interval: interval)
            }
        }
        return result
    }

    /// The sequence resampled to `target` frames per second over the same time span.
    ///
    /// Output frame `j` is at time `j / target`, between source frames `i = floor(j * fps / target)`
    /// and `i + 1` with weight `w`: a keypoint present in both is interpolated linearly (position and
    /// confidence); present in only one, it is taken from that one if it is the nearer (`w < 0.5`
    /// picks frame `i`); otherwise it is missing. There are `floor((n - 1) * target / fps) + 1` frames.
    public func resampled(to target: Double) -> PoseSequence {
        let source = fps ?? Self.assumedFPS
        var result = self
        result.fps = target
        guard frames.count > 1 else { return result }
        let ratio = source / target
        let count = Int(((Double(frames.count - 1) / ratio) + 1e-9).rounded(.down)) + 1
        result.frames = (0..<count).map { j in
            let s = Double(j) * ratio
            let i = min(Int((s + 1e-9).rounded(.down)), frames.count - 1)
            let w = s - Double(i)
            guard i + 1 < frames.count, w > 1e-9 else { return frames[i] }
            return (0..<keypointCount).map { k in
                let a = frames[i][k], b = frames[i + 1][k]
                switch (a.isPresent, b.isPresent) {
                case (true, true):
                    return Keypoint(x: a.x + (b.x - a.x) * w, y: a.y + (b.y - a.y) * w,
                                    confidence: a.confidence + (b.confidence - a.confidence) * w)
                case (true, false): return w < 0.5 ? a : .missing
                case (false, true): return w >= 0.5 ? b : .missing
                case (false, false): return .missing
                }
            }
        }
        return result
    }

    /// How many frames miss each keypoint.
    public var missingCounts: [Int] {
        (0..<keypointCount).map { k in frames.reduce(0) { $0 + ($1[k].isPresent ? 0 : 1) } }
    }
}
