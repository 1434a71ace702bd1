extension Double {
    /// The number for messages and tables: a whole number bare (`30`, not `30.0`); otherwise with
    /// `decimals` places, or in Swift's shortest exact form when `decimals` is nil.
    public func displayed(decimals: Int? = nil) -> String {
        if isFinite, self == rounded(), abs(self) < 1e15 { return String(Int64(self)) }
        guard let decimals else { return "\(self)" }
        return String(format: "%.\(decimals)f", self)
    }
}

extension Double {
    /// A decimal number as people write it (`12`, `-0.5`, `+3.25e2`): digits with an optional sign,
    /// point and exponent, and no hexadecimal (`0x10`), `inf`, `nan` or spaces, which Swift's own
    /// `Double(_:)` would also take. Nil for anything else.
    public static func decimal(_ text: some StringProtocol) -> Double? {
        var sawDigit = false, sawPoint = false, sawExponent = false, digitAfterExponent = false
        for (i, c) in text.enumerated() {
            switch c {
            case "0"..."9":
                sawDigit = true
                if sawExponent { digitAfterExponent = true }
            case "+", "-":
                let previous = i == 0 ? nil : text[text.index(text.startIndex, offsetBy: i - 1)]
                guard i == 0 || previous == "e" || previous == "E" else { return nil }
            case ".":
                guard !sawPoint, !sawExponent else { return nil }
                sawPoint = true
            case "e", "E":
                guard sawDigit, !sawExponent else { return nil }
                sawExponent = true
            default:
                return nil
            }
        }
        guard sawDigit, !sawExponent || digitAfterExponent else { return nil }
        return Double(String(text))
    }
}
