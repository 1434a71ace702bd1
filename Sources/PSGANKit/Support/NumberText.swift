extension Double {
    /// The number for messages and tables: a whole number bare (`30`, not `30.0`); otherwise with
    /// `decimals` places, or in Swift's shortest exact form when `decimals` is nil.
    public func displayed(decimals: Int? = nil) -> String {
        if isFinite, self == rounded(), abs(self) < 1e15 { return String(Int64(self)) }
        guard let decimals else { return "\(self)" }
        return String(format: "%.\(decimals)f", self)
    }
}
