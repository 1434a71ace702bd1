import CFFmpeg
import Foundation

/// FFmpeg's own log, kept off the terminal and folded into psgan's one-line errors.
///
/// FFmpeg reports a decoding problem in its log ("[png @ 0x55...] inflate returned error -3") and
/// often only a generic code, or nothing, to the caller: a demuxer skips a damaged stretch, a
/// decoder conceals a broken picture. psgan installs a log callback that prints nothing and keeps,
/// per reader, the error-level lines FFmpeg logged for it, so that a reader can stop at damage and
/// name the cause in its own line ("... (FFmpeg: inflate returned error -3)"). A reader tags its
/// demuxer and decoder contexts with a ``Tag`` (their `opaque` field, which FFmpeg copies to a
/// decoder's worker threads). ``echo`` (the CLI's `--ffmpeg-log`, or `PSGAN_FFMPEG_LOG=1` in the
/// environment) prints FFmpeg's error and warning lines to standard error as well, for looking into a file.
public enum FFmpegLog {
    /// Whose errors a log line counts as: one per open file.
    struct Tag: Hashable {
        fileprivate let id: Int
        /// The value to put in an `opaque` field.
        var pointer: UnsafeMutableRawPointer? { UnsafeMutableRawPointer(bitPattern: id) }
    }

    private static let lock = NSLock()
    private static var nextID = 1
    private static var errors: [Int: (count: Int, last: String)] = [:]
    private static var lastUntagged: String?
    /// Lines FFmpeg logs in pieces (no newline yet), by tag (0: none).
    private static var pending: [Int: String] = [:]
    private static var echoing = ProcessInfo.processInfo.environment["PSGAN_FFMPEG_LOG"].map { !$0.isEmpty && $0 != "0" } ?? false

    /// Whether FFmpeg's error and warning lines are printed to standard error as they come (off by
    /// default: its last error is folded into psgan's message either way).
    public static var echo: Bool {
        get { lock.withLock { echoing } }
        set {
            lock.withLock { echoing = newValue }
        }
    }

    /// Installs the callback (once per process) and returns a new tag for one file's contexts.
    @discardableResult
    static func start() -> Tag {
        _ = installed
        lock.lock()
        defer { lock.unlock() }
        nextID += 1
        lastUntagged = nil
        return Tag(id: nextID)
    }

    /// Forgets a tag's errors once its file is closed.
    static func end(_ tag: Tag) {
        lock.lock()
        errors[tag.id] = nil
        pending[tag.id] = nil
        lock.unlock()
    }

    private static let installed: Void = {
        // Warnings too: a few of them are the only word FFmpeg gives of a file cut short (``damageWarnings``).
        av_log_set_level(AV_LOG_WARNING)
        av_log_set_callback { context, level, format, arguments in
            guard level <= av_log_get_level(), let format, let arguments else { return }
            var buffer = [CChar](repeating: 0, count: 512)
            var printPrefix: Int32 = 1
            av_log_format_line2(context, level, format, arguments, &buffer, Int32(buffer.count), &printPrefix)
            FFmpegLog.record(String(cString: buffer), level: level, tag: FFmpegLog.tag(of: context))
        }
    }()

    /// The tag in a logging context's `opaque` field, for demuxer and decoder contexts.
    private static func tag(of context: UnsafeMutableRawPointer?) -> Int? {
        guard let context, let avClass = context.assumingMemoryBound(to: UnsafePointer<AVClass>?.self).pointee,
              let name = avClass.pointee.class_name else { return nil }
        let opaque: UnsafeMutableRawPointer?
        switch String(cString: name) {
        case "AVCodecContext": opaque = context.assumingMemoryBound(to: AVCodecContext.self).pointee.opaque
        case "AVFormatContext": opaque = context.assumingMemoryBound(to: AVFormatContext.self).pointee.opaque
        default: return nil
        }
        return opaque.map { Int(bitPattern: $0) }
    }

    private static func record(_ piece: String, level: Int32, tag: Int?) {
        lock.lock()
        defer { lock.unlock() }
        if echoing { FileHandle.standardError.write(Data(piece.utf8)) }
        guard level <= AV_LOG_ERROR || (tag != nil && damageWarnings.contains { piece.contains($0) }) else { return }
        // FFmpeg may log one line in several calls; only a newline ends it.
        var line = pending[tag ?? 0, default: ""]
        // Drop each piece's "[codec @ 0x...] " prefix.
        if piece.hasPrefix("["), let close = piece.firstIndex(of: "]") {
            line += piece[piece.index(after: close)...]
        } else {
            line += piece
        }
        guard line.hasSuffix("\n") else {
            pending[tag ?? 0] = String(line.prefix(1000))
            return
        }
        pending[tag ?? 0] = nil
        var text = line.split(whereSeparator: \.isNewline).joined(separator: " ").trimmingCharacters(in: .whitespaces)
        if text.count > 160 { text = String(text.prefix(160)) + "..." }
        guard !text.isEmpty else { return }
        if let tag {
            errors[tag] = ((errors[tag]?.count ?? 0) + 1, text)
        } else {
            lastUntagged = text
        }
    }

    /// Warnings that mean a file's data is damaged or cut short, counted as errors for the file they
    /// name: a JPEG that ends without its end marker (a progressive one cut between two scans decodes
    /// with whole regions wrong, and FFmpeg only warns).
    private static let damageWarnings = ["EOI missing"]

    /// The words for an FFmpeg status code: a POSIX error (`AVERROR(errno)`) as ``ErrorText``'s short
    /// reason ("disk full", "read-only file system"), FFmpeg's own codes as FFmpeg words them.
    static func message(_ status: Int32) -> String {
        if status < 0, status > -4096 { return ErrorText.reason(errno: -status) }
        var buffer = [CChar](repeating: 0, count: 256)
        return String(cString: psgan_av_err2str(status, &buffer, buffer.count))
    }

    /// How many error-level lines FFmpeg has logged for `tag`'s file.
    static func errorCount(_ tag: Tag) -> Int {
        lock.lock()
        defer { lock.unlock() }
        return errors[tag.id]?.count ?? 0
    }

    /// " (FFmpeg: LINE)" with the last error line FFmpeg logged for `tag` (or, without one, for no
    /// tagged file since the last ``start()``), or "".
    static func lastErrorSuffix(_ tag: Tag? = nil) -> String {
        lock.lock()
        defer { lock.unlock() }
        let line = tag.flatMap { errors[$0.id]?.last } ?? lastUntagged
        return line.map { " (FFmpeg: \($0))" } ?? ""
    }
}
