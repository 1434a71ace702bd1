/// Characters keyframed over a clip: which latent each frame uses.
///
/// Frames between two keyframes blend their latents (`t` running from 0 at the earlier keyframe to
/// 1 at the later one); frames before the first keyframe or after the last hold the nearest one.
/// Frame numbers are the pose file's, so choosing a sub-range with `--frames` keeps the timing.
public struct CharacterTrack: Sendable {
    /// One keyframe: a frame number and the latent there.
    public struct Keyframe: Equatable, Sendable {
        /// Frame number in the pose file.
        public var frame: Int
        /// The character's latent.
        public var latent: [Float]
    }

    /// Keyframes in frame order (at least one, frames distinct).
    public let keyframes: [Keyframe]
    /// How latents are blended between keyframes.
    public let interpolation: LatentInterpolation

    /// One character for the whole clip.
    public init(latent: [Float]) {
        keyframes = [Keyframe(frame: 0, latent: latent)]
        interpolation = .lerp
    }

    /// Characters at frames; `keyframes` may come in any order but their frames must differ.
    public init(keyframes: [(character: Character, frame: Int)], latentDim: Int,
                interpolation: LatentInterpolation) throws {
        try self.init(keyframes: keyframes, in: LatentSpace(dimension: latentDim), interpolation: interpolation)
    }

    /// Characters at frames, their latents in `space` (looks set through its schema).
    public init(keyframes: [(character: Character, frame: Int)], in space: LatentSpace,
                interpolation: LatentInterpolation) throws {
        guard !keyframes.isEmpty else {
            throw PSGANError(.character, file: "--character", "no characters given")
        }
        var resolved: [Keyframe] = []
        for (character, frame) in keyframes {
            guard frame >= 0 else {
                throw PSGANError(.character, file: character.file ?? "character \(ErrorText.quoted(character.name))", "keyframe \(frame) is negative")
            }
            resolved.append(Keyframe(frame: frame, latent: try character.latent(in: space)))
        }
        resolved.sort { $0.frame < $1.frame }
        for (a, b) in zip(resolved, resolved.dropFirst()) where a.frame == b.frame {
            throw PSGANError(.character, file: "--character", "two characters are keyframed at frame \(a.frame)")
        }
        self.keyframes = resolved
        self.interpolation = interpolation
    }

    /// The latent for `frame`.
    public func latent(at frame: Int) -> [Float] {
        guard let first = keyframes.first, let last = keyframes.last else { return [] }
        if frame <= first.frame { return first.latent }
        if frame >= last.frame { return last.latent }
        let next = keyframes.firstIndex { $0.frame > frame }!
        let a = keyframes[next - 1], b = keyframes[next]
        if frame == a.frame { return a.latent }
        let t = Double(frame - a.frame) / Double(b.frame - a.frame)
        return interpolation.blend(a.latent, b.latent, t: t)
    }
}
