import Foundation

/// Every error PSGANKit throws: what kind of input or step failed, the file, the place in it, and
/// the problem, as one line a user can act on.
///
/// The message reads `FILE: PLACE: frame F, keypoint K: PROBLEM`, leaving out what is not known:
/// `walk.json: frame 12, keypoint 3: x is not a finite number`, `jobs.json: job 4 (bo-dance): "crf"
/// must be from 0 to 63`, `g.safetensors: tensor 'to_rgb.weight' has shape [3, 8, 1, 1], expected
/// [3, 16, 1, 1]`. Callers choose exit statuses by ``kind`` (`psgan compare` exits 2 for inputs that
/// cannot be compared); nothing else needs to look inside.
public struct PSGANError: Error, CustomStringConvertible, LocalizedError, Sendable, Equatable {
    /// What the error is about.
    public enum Kind: String, Sendable, Equatable {
        /// A pose file: reading, writing, converting or cleaning up poses.
        case poses
        /// A generator or upscaler weights file, or a model config.
        case model
        /// A character file, seed or keyframe.
        case character
        /// An image, PNG folder or video being read (``FrameReader``).
        case input
        /// A video or PNG folder being written (``VideoWriter``), or a codec choice.
        case video
        /// Two inputs that cannot be compared (``ComparisonReport``).
        case comparison
        /// A batch manifest, an output template or a shard setting.
        case manifest
        /// Anything else a render, upscale or preview job finds before or while it runs.
        case render
    }

    /// What the error is about.
    public var kind: Kind
    /// The file or directory the problem is in, as the user named it; nil when it is not tied to one
    /// (or when ``problem`` already names it).
    public var file: String?
    /// Where in the file, other than a frame or keypoint: a manifest entry (`job 3 (ayumi-walk)`,
    /// `characters[2]`), a tensor, an option.
    public var place: String?
    /// The frame the problem is in, counted from 0.
    public var frame: Int?
    /// The keypoint the problem is in, counted from 0 within its frame.
    public var keypoint: Int?
    /// What is wrong, without the location.
    public var problem: String

    /// An error of `kind` in `file`, at `place`, `frame` and `keypoint` where they apply.
    public init(_ kind: Kind, file: String?, place: String? = nil, frame: Int? = nil, keypoint: Int? = nil,
                problem: String) {
        self.kind = kind
        self.file = file
        self.place = place
        self.frame = frame
        self.keypoint = keypoint
        self.problem = problem
    }

    /// An error of `kind` in `file` (at `place`, if given) saying `problem`.
    public init(_ kind: Kind, file: String, place: String? = nil, _ problem: String) {
        self.init(kind, file: file, place: place, problem: problem)
    }

    /// An error of `kind` whose message is complete as it is (it names its file itself, if any).
    public init(_ kind: Kind, _ message: String) {
        self.init(kind, file: nil, problem: message)
    }

    /// The place as printed: the entry, then `frame F, keypoint K`; empty when nothing is known.
    public var location: String {
        var parts: [String] = []
        if let place, !place.isEmpty { parts.append(place) }
        var numbers: [String] = []
        if let frame { numbers.append("frame \(frame)") }
        if let keypoint { numbers.append("keypoint \(keypoint)") }
        if !numbers.isEmpty { parts.append(numbers.joined(separator: ", ")) }
        return parts.joined(separator: ": ")
    }

    /// The whole message: `file: place: frame F, keypoint K: problem`, leaving out what is not known.
    public var description: String {
        var parts: [String] = []
        if let file, !file.isEmpty { parts.append(file) }
        let location = self.location
        if !location.isEmpty { parts.append(location) }
        parts.append(problem)
        return parts.joined(separator: ": ")
    }

    /// Same as ``description``, so that `localizedDescription` reads well too.
    public var errorDescription: String? { description }

    /// This error with `file` filled in when it names none (errors from steps that do not know
    /// the file, such as a cleanup, get the input's name this way).
    public func naming(_ file: String) -> PSGANError {
        var copy = self
        if copy.file == nil || copy.file!.isEmpty { copy.file = file }
        return copy
    }
}

extension PSGANError {
    /// An error about the file or directory at `url`, named as the user gave it.
    init(_ kind: Kind, url: URL, place: String? = nil, frame: Int? = nil, keypoint: Int? = nil, problem: String) {
        self.init(kind, file: PSGANError.displayPath(of: url), place: place, frame: frame, keypoint: keypoint, problem: problem)
    }

    /// How to name `url` in a message: its path as given (relative stays relative).
    static func displayPath(of url: URL) -> String {
        guard url.isFileURL else { return url.absoluteString }
        let path = url.relativePath
        return path.isEmpty ? url.path : path
    }

    /// `count` and `noun`, plural unless the count is 1: "1 keypoint", "17 keypoints".
    static func count(_ count: Int, _ noun: String) -> String {
        "\(count) \(noun)\(count == 1 ? "" : "s")"
    }

    /// Runs `body`, naming `file` in any ``PSGANError`` it throws that names no file.
    static func naming<T>(_ file: String, _ body: () throws -> T) throws -> T {
        do {
            return try body()
        } catch let error as PSGANError {
            throw error.naming(file)
        }
    }
}
