import Foundation

/// The temporary name an output is written under until it is complete, and the clean-up of names a
/// killed process left behind.
///
/// Every writer (videos, PNG sequences, single PNGs, pose files aside) writes to
/// `.STEM.partial-PID[.EXT]` beside the output and renames it onto the output when finished, so an
/// output path never holds half a file. A process killed outright (SIGKILL, power loss) leaves its
/// temporary behind; the next write of the same output removes every such name whose process is
/// gone.
public struct PartialOutput: Sendable {
    /// The output the temporary stands for.
    public let output: URL
    /// Whether temporaries keep the output's extension (muxers choose the container by it).
    public let keepsExtension: Bool

    /// The convention for `output`; `keepsExtension` is ignored when the output has none.
    public init(output: URL, keepsExtension: Bool) {
        self.output = output
        self.keepsExtension = keepsExtension && !output.pathExtension.isEmpty
    }

    /// The longest file name most file systems take, in bytes.
    static let nameLimit = 255

    /// `.STEM.partial-`, the stem cut short (on a character boundary) where the temporary name
    /// would pass ``nameLimit`` bytes with the longest process id, so that every output name the
    /// file system takes has a temporary name it takes too.
    private var prefix: String {
        let room = Self.nameLimit - ".".utf8.count - ".partial-".utf8.count - 10 - suffix.utf8.count
        var stem = output.deletingPathExtension().lastPathComponent
        while stem.utf8.count > room { stem.removeLast() }
        return ".\(stem).partial-"
    }
    private var suffix: String { keepsExtension ? ".\(output.pathExtension)" : "" }

    /// This process's temporary name for the output.
    public var temporaryURL: URL {
        output.deletingLastPathComponent().appendingPathComponent("\(prefix)\(getpid())\(suffix)")
    }

    /// Removes the output's temporaries that no running process on this machine is writing (those
    /// of other live processes are kept); returns their paths.
    @discardableResult
    public func removeStale() -> [String] {
        let directory = output.deletingLastPathComponent()
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: directory.path) else { return [] }
        var removed: [String] = []
        for name in names.sorted() where name.hasPrefix(prefix) && name.hasSuffix(suffix) && name.count > prefix.count + suffix.count {
            let digits = name.dropFirst(prefix.count).dropLast(suffix.count)
            guard digits.allSatisfy(\.isASCII), digits.allSatisfy(\.isNumber), let pid = Int32(digits) else { continue }
            // This process's own temporary of the same output is left over from an earlier writer
            // that failed: writers of one output never run side by side.
            let alive = pid != getpid() && (kill(pid, 0) == 0 || errno == EPERM)
            guard !alive else { continue }
            let url = directory.appendingPathComponent(name)
            if (try? FileManager.default.removeItem(at: url)) != nil { removed.append(url.path) }
        }
        return removed
    }

    /// Renames the finished temporary onto the output; an error of `kind` naming the output if it cannot.
    public func finish(kind: PSGANError.Kind = .render) throws {
        if rename(temporaryURL.path, output.path) != 0 {
            throw PSGANError(kind, file: output.path, "cannot write (\(ErrorText.reason(errno: errno)))")
        }
    }
}
