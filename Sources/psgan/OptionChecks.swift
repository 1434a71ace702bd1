import ArgumentParser
import PSGANKit

/// Checks of option values that several commands share, with the same messages everywhere.
enum OptionChecks {
    /// A frame rate given as `option` must be in ``FrameRate/range``.
    static func frameRate(_ value: Double?, option: String) throws {
        if let value, !FrameRate.isValid(value) {
            throw ValidationError("\(option) must be a frame rate \(FrameRate.rangeDescription)")
        }
    }

    /// A constant rate factor must be from 0 to 63.
    static func crf(_ value: Int?) throws {
        if let value, !(0...63).contains(value) {
            throw ValidationError("--crf must be from 0 to 63")
        }
    }
}

/// `--ffmpeg-log`, for the commands that read or write media.
struct FFmpegLogOption: ParsableArguments {
    @Flag(name: .customLong("ffmpeg-log"), help: "Also print FFmpeg's own error and warning lines (its last error is always part of psgan's message).")
    var enabled = false

    /// Turns the echo on when asked (it can also be turned on with PSGAN_FFMPEG_LOG=1).
    func apply() {
        if enabled { FFmpegLog.echo = true }
    }
}
