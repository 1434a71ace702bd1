/// How a pose sequence is made to loop: the last step of the cleanup.
public enum PoseLoop: Equatable, Sendable {
    /// Forward then backward: frames 0 ... n-1, then n-2 ... 1, so the clip repeats without a jump.
    case pingpong
    /// The last `n` frames blended into the first ones, which they then stand for: frame
    /// `count - n + i` moves towards frame `i` by `(i + 1) / (n + 1)`, and the first `n` frames are
    /// dropped, so the blended end leads into frame `n`, where the clip (now `n` frames shorter)
    /// starts again: a loop without a seam.
    case blend(Int)

    /// Reads `pingpong`, `blend N` or `blend:N`; nil for anything else.
    public init?(parsing text: String) {
        let parts = text.lowercased().split(whereSeparator: { $0 == " " || $0 == ":" }).map(String.init)
        switch parts.first {
        case "pingpong" where parts.count == 1:
            self = .pingpong
        case "blend" where parts.count == 2:
            guard let n = Int(parts[1]), n >= 1 else { return nil }
            self = .blend(n)
        default:
            return nil
        }
    }

    /// `poses` made to loop; a problem (a blend longer than the sequence allows) as a message.
    public func apply(to poses: PoseSequence) throws -> PoseSequence {
        var result = poses
        let frames = poses.frames
        switch self {
        case .pingpong:
            guard frames.count > 2 else { return result }
            result.frames = frames + frames.dropFirst().dropLast().reversed()
        case .blend(let n):
            guard n < frames.count else {
                throw PSGANError(.poses, file: nil, problem: "a loop blend of \(n) frames needs more than \(n) frames; the poses have \(frames.count)")
            }
            guard 2 * n < frames.count else {
                throw PSGANError(.poses, file: nil, problem: "a loop blend of \(n) frames needs more than \(2 * n) frames "
                    + "(the blend and the \(n) frames it replaces); the poses have \(frames.count)")
            }
            for i in 0 ..< n {
                let t = Double(i + 1) / Double(n + 1)
                let target = frames.count - n + i
                result.frames[target] = zip(frames[target], frames[i]).map { a, b in
                    guard a.isPresent, b.isPresent else { return t < 0.5 ? a : b }
                    return Keypoint(x: a.x + (b.x - a.x) * t, y: a.y + (b.y - a.y) * t,
                                    confidence: a.confidence + (b.confidence - a.confidence) * t)
                }
            }
            // The blended end stands for the first frames: the loop goes from it into frame n.
            result.frames.removeFirst(n)
        }
        return result
    }
}
