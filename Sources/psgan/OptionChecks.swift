import ArgumentParser

/// Checks of option values that several commands share, with the same messages everywhere.
enum OptionChecks {
    /// A frame rate given as `option` must be finite, above 0 and at most 1000.
    static func frameRate(_ value: Double?, option: String) throws {
        if let value, !(value.isFinite && value > 0 && value <= 1000) {
            throw ValidationError("\(option) must be a number above 0 and at most 1000")
        }
    }

    /// A constant rate factor must be from 0 to 63.
    static func crf(_ value: Int?) throws {
        if let value, !(0...63).contains(value) {
            throw ValidationError("--crf must be from 0 to 63")
        }
    }
}
