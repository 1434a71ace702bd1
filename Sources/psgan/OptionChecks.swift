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
