import Foundation

/// The version of psgan, as `psgan --version` prints it and provenance records it.
public enum PSGANVersion {
    /// The version string.
    public static let string = "0.1.0"
}

/// How a render was made, stored in its output's metadata (container tags, PNG `tEXt` chunks).
///
/// Keys: `psgan_version`, `psgan_model_sha256`, `psgan_poses_sha256`, `psgan_characters` (`seed 14`,
/// or the keyframes), and `psgan_command` (the full command line) when the caller gives it.
/// ffprobe shows them under the format's tags (`ffprobe -show_entries format_tags`), PNG frames
/// under each frame's tags (`ffprobe -show_frames`).
public enum Provenance {
    /// The tags for a render of `model` with `poses` (a pose or scene file) and `characters` (a
    /// one-line summary, ``RenderJob/Characters/summary``), run as `command`.
    public static func tags(model: URL, poses: URL, characters: String, command: String?) throws -> [String: String] {
        var tags = [
            "psgan_version": PSGANVersion.string,
            "psgan_model_sha256": try FileDigest.sha256(of: model),
            "psgan_poses_sha256": try FileDigest.sha256(of: poses),
            "psgan_characters": characters,
        ]
        if let command { tags["psgan_command"] = command }
        return tags
    }

    /// The tags of a `psgan upscale` output: psgan's version, the upscaler's and the input's
    /// SHA-256 and the command line.
    public static func upscaleTags(upscaler: URL, input: URL, command: String?) throws -> [String: String] {
        var tags = ["psgan_version": PSGANVersion.string, "psgan_upscaler_sha256": try FileDigest.sha256(of: upscaler)]
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: input.path, isDirectory: &isDirectory), !isDirectory.boolValue {
            tags["psgan_input_sha256"] = try FileDigest.sha256(of: input)
        }
        if let command { tags["psgan_command"] = command }
        return tags
    }

    /// `arguments` as one shell command line, each argument quoted where the shell would need it.
    public static func commandLine(_ arguments: [String]) -> String {
        arguments.map { argument in
            let plain = !argument.isEmpty && argument.unicodeScalars.allSatisfy {
                CharacterSet.alphanumerics.contains($0) || "-_./:=@,+%".unicodeScalars.contains($0)
            }
            return plain ? argument : "'" + argument.replacingOccurrences(of: "'", with: #"'\''"#) + "'"
        }.joined(separator: " ")
    }
}

extension RenderJob.Characters {
    /// One line naming the characters: `seed 14`, or `slerp seed:3@0, a.json@90`.
    public var summary: String {
        switch self {
        case .seed(let seed):
            return "seed \(seed)"
        case .keyframes(let keyframes, let interpolation):
            let items = keyframes.map { key -> String in
                let source = key.seed.map { "seed:\($0)" } ?? (key.path ?? "?")
                return "\(source)@\(key.frame)"
            }
            return "\(interpolation.rawValue) \(items.joined(separator: ", "))"
        }
    }
}
