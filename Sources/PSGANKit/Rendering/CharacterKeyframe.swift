import Foundation

/// A `--character SPEC[@FRAME]` argument: a character file or `seed:N`, keyframed at a frame.
///
/// Examples: `alice.json` (frame 0), `alice.json@0`, `seed:7@90`.
public struct CharacterKeyframe: Equatable, Sendable {
    /// The character file path, or nil for a seed.
    public var path: String?
    /// The seed, when the spec is `seed:N`.
    public var seed: UInt64?
    /// The keyframe's frame number in the pose file.
    public var frame: Int

    /// A keyframe for a character file (`path`) or a seed, at `frame`.
    public init(path: String?, seed: UInt64?, frame: Int) {
        self.path = path
        self.seed = seed
        self.frame = frame
    }

    /// Parses the argument; nil when it is not of that form.
    public init?(_ text: String) {
        var spec = Substring(text)
        frame = 0
        if let at = text.lastIndex(of: "@") {
            guard let value = Int(text[text.index(after: at)...]), value >= 0 else { return nil }
            frame = value
            spec = text[..<at]
        }
        guard !spec.isEmpty else { return nil }
        if spec.hasPrefix("seed:") {
            guard let value = UInt64(spec.dropFirst(5)) else { return nil }
            seed = value
            path = nil
        } else {
            seed = nil
            path = String(spec)
        }
    }

    /// Loads the character this keyframe names.
    public func character() throws -> Character {
        if let seed { return .seed(seed) }
        return try Character(contentsOf: URL(fileURLWithPath: path ?? ""))
    }
}
