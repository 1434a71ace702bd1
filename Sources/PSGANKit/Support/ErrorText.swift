import Foundation

/// Error text a user can act on: system errors as short reasons, every message one line.
///
/// Foundation's own wording ("The operation could not be completed. The file doesn't exist.",
/// "NSCocoaErrorDomain error 256") never reaches the user: ``reason(_:)`` turns a Foundation or
/// POSIX error into "no such file", "disk full", "read-only file system" and the like, and
/// ``oneLine(_:)`` makes any error a single line of bounded length, with control characters
/// escaped, whatever strings from the user or a file it repeats.
public enum ErrorText {
    /// A short reason for a Foundation or POSIX error, without the file names it may repeat.
    public static func reason(_ error: Error) -> String {
        let ns = error as NSError
        if let errno = posixCode(ns) { return reason(errno: errno) }
        switch (ns.domain, ns.code) {
        case (NSCocoaErrorDomain, NSFileNoSuchFileError), (NSCocoaErrorDomain, NSFileReadNoSuchFileError):
            // Foundation says "no such file" also when a folder on the way is a file.
            if let path = ns.userInfo[NSFilePathErrorKey] as? String, blockedByFile(path) { return reason(errno: ENOTDIR) }
            return "no such file"
        case (NSCocoaErrorDomain, NSFileWriteOutOfSpaceError): return "disk full"
        case (NSCocoaErrorDomain, NSFileWriteVolumeReadOnlyError): return "read-only file system"
        case (NSCocoaErrorDomain, NSFileReadNoPermissionError), (NSCocoaErrorDomain, NSFileWriteNoPermissionError): return "permission denied"
        case (NSCocoaErrorDomain, NSFileWriteFileExistsError): return "already exists"
        case (NSCocoaErrorDomain, NSFileReadTooLargeError): return "too large to read"
        case (NSCocoaErrorDomain, NSFileReadInapplicableStringEncodingError): return "not valid UTF-8 text"
        case (NSCocoaErrorDomain, NSFileReadCorruptFileError): return "unreadable data"
        case (NSCocoaErrorDomain, NSFileWriteInvalidFileNameError): return "invalid file name"
        case (NSCocoaErrorDomain, _): return ns.code >= 512 ? "cannot write (error \(ns.code))" : "cannot read (error \(ns.code))"
        default: return text(of: error)
        }
    }

    /// A short reason for a POSIX error number.
    public static func reason(errno code: Int32) -> String {
        switch code {
        case ENOENT: return "no such file or directory"
        case ENOSPC: return "disk full"
        case EDQUOT: return "disk quota exceeded"
        case EROFS: return "read-only file system"
        case EISDIR: return "is a directory"
        case ENOTDIR: return "a part of the path is not a directory"
        case EACCES, EPERM: return "permission denied"
        case EEXIST: return "already exists"
        case ENAMETOOLONG: return "file name too long"
        case EIO: return "input/output error"
        default: return String(cString: strerror(code)).lowercased()
        }
    }

    /// Any error's message as one line of at most `limit` characters: control characters escaped
    /// (a newline as `\n`), an overlong middle cut out, and Foundation or POSIX errors as
    /// "PATH: reason" when they name a file.
    public static func oneLine(_ error: Error, limit: Int = 400) -> String {
        oneLine(text(of: error), limit: limit)
    }

    /// `text` as one line of at most `limit` characters (see ``oneLine(_:limit:)``). A run of over
    /// 200 characters without a space (a pasted value gone wrong; paths are rarely that long) is cut
    /// in its middle first, so the words around it survive.
    public static func oneLine(_ text: String, limit: Int = 400) -> String {
        var escaped = escape(text)
        if escaped.count > 200 {
            escaped = escaped.split(separator: " ", omittingEmptySubsequences: false)
                .map { $0.count > 200 ? $0.prefix(120) + "..." + $0.suffix(20) : String($0) }
                .joined(separator: " ")
        }
        guard escaped.count > limit else { return escaped }
        let keep = max(1, (limit - 5) / 2)
        return String(escaped.prefix(keep)) + " ... " + String(escaped.suffix(keep))
    }

    /// A string from the user or a file, for a message: in single quotes, control characters
    /// escaped, cut to `limit` characters.
    public static func quoted(_ text: String, limit: Int = 60) -> String {
        let escaped = escape(text)
        return "'" + (escaped.count > limit ? String(escaped.prefix(limit)) + "..." : escaped) + "'"
    }

    /// A path or name for a success line: control characters escaped (a newline as `\n`), as
    /// errors print them, so an output name cannot break or recolour the terminal's line.
    public static func escaped(_ text: String) -> String {
        escape(text)
    }

    /// The error's own text: psgan's errors as they describe themselves, Foundation's mapped.
    private static func text(of error: Error) -> String {
        let ns = error as NSError
        guard ns.domain == NSCocoaErrorDomain || ns.domain == NSPOSIXErrorDomain else { return "\(error)" }
        let why = reason(error)
        if let path = ns.userInfo[NSFilePathErrorKey] as? String { return "\(path): \(why)" }
        if let url = ns.userInfo[NSURLErrorKey] as? URL { return "\(url.path): \(why)" }
        return why
    }

    /// Whether a folder on the way to `path` exists as something other than a folder.
    private static func blockedByFile(_ path: String) -> Bool {
        var url = URL(fileURLWithPath: path).deletingLastPathComponent()
        while url.path != "/" && !url.path.isEmpty {
            var isDirectory: ObjCBool = false
            if FileManager.default.fileExists(atPath: url.path, isDirectory: &isDirectory) { return !isDirectory.boolValue }
            url.deleteLastPathComponent()
        }
        return false
    }

    private static func posixCode(_ ns: NSError) -> Int32? {
        if ns.domain == NSPOSIXErrorDomain { return Int32(ns.code) }
        if let underlying = ns.userInfo[NSUnderlyingErrorKey] as? NSError, underlying.domain == NSPOSIXErrorDomain {
            return Int32(underlying.code)
        }
        return nil
    }

    private static func escape(_ text: String) -> String {
        var out = ""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case "\0": out += "\\0"
            case _ where scalar.value < 0x20 || scalar.value == 0x7F || (0x80..<0xA0).contains(scalar.value)
                || scalar.value == 0x2028 || scalar.value == 0x2029:
                out += "\\u{\(String(scalar.value, radix: 16))}"
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out
    }
}
