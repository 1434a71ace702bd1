import Foundation

/// An error reading, writing or converting a pose file, with a one-line message for the user.
///
/// The message names the file and, where it applies, the frame and keypoint (both counted from
/// 0), for example `walk.json: frame 12, keypoint 3: x is not a finite number`.
public struct PoseFileError: Error, CustomStringConvertible, LocalizedError, Sendable {
    /// The file or directory the problem is in, as the user named it; `nil` when the problem is
    /// not tied to a file (a layout conversion, for instance).
    public var file: String?
    /// The frame the problem is in, counted from 0.
    public var frame: Int?
    /// The keypoint the problem is in, counted from 0 within its frame.
    public var keypoint: Int?
    /// What is wrong, without the location.
    public var problem: String

    /// Creates an error; `problem` says what is wrong, the other arguments where.
    public init(file: String?, frame: Int? = nil, keypoint: Int? = nil, problem: String) {
        self.file = file
        self.frame = frame
        self.keypoint = keypoint
        self.problem = problem
    }

    /// The whole message: `file: frame F, keypoint K: problem`, leaving out what is not known.
    public var description: String {
        var location: [String] = []
        if let frame { location.append("frame \(frame)") }
        if let keypoint { location.append("keypoint \(keypoint)") }
        var parts: [String] = []
        if let file, !file.isEmpty { parts.append(file) }
        if !location.isEmpty { parts.append(location.joined(separator: ", ")) }
        parts.append(problem)
        return parts.joined(separator: ": ")
    }

    /// Same as ``description``, so that `localizedDescription` reads well too.
    public var errorDescription: String? { description }
}

extension PoseFileError {
    /// An error about the file or directory at `url`, named as the user gave it.
    init(url: URL, frame: Int? = nil, keypoint: Int? = nil, problem: String) {
        self.init(file: PoseFileError.displayPath(of: url), frame: frame, keypoint: keypoint, problem: problem)
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
}
