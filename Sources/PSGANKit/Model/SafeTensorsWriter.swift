import Foundation

/// Writes tensors and string metadata as a safetensors file, atomically.
public struct SafeTensorsWriter {
    /// Storage type for written tensors.
    public enum Precision: String, CaseIterable, Sendable {
        case f32
        case f16
    }

    private var entries: [(name: String, shape: [Int], values: [Float])] = []
    /// `__metadata__` strings.
    public var metadata: [String: String]

    /// An empty file with the given metadata.
    public init(metadata: [String: String] = [:]) {
        self.metadata = metadata
    }

    /// Appends a tensor; tensors are stored in the order they are added.
    public mutating func add(_ name: String, shape: [Int], values: [Float]) {
        precondition(shape.reduce(1, *) == values.count, "\(name): \(values.count) values for shape \(shape)")
        entries.append((name, shape, values))
    }

    /// The file's bytes.
    public func encoded(precision: Precision) -> Data {
        let elementSize = precision == .f32 ? 4 : 2
        var header = "{\"__metadata__\":{"
        header += metadata.keys.sorted().map { "\($0.jsonQuoted):\(metadata[$0]!.jsonQuoted)" }.joined(separator: ",")
        header += "}"
        var offset = 0
        for entry in entries {
            let size = entry.values.count * elementSize
            let shape = entry.shape.map(String.init).joined(separator: ",")
            header += ",\(entry.name.jsonQuoted):{\"dtype\":\"\(precision.rawValue.uppercased())\",\"shape\":[\(shape)],\"data_offsets\":[\(offset),\(offset + size)]}"
            offset += size
        }
        header += "}"
        while (header.utf8.count % 8) != 0 { header += " " }

        var data = Data(capacity: 8 + header.utf8.count + offset)
        var length = UInt64(header.utf8.count).littleEndian
        withUnsafeBytes(of: &length) { data.append(contentsOf: $0) }
        data.append(contentsOf: Array(header.utf8))
        for entry in entries {
            switch precision {
            case .f32:
                var raw = [UInt32](repeating: 0, count: entry.values.count)
                for i in raw.indices { raw[i] = entry.values[i].bitPattern.littleEndian }
                raw.withUnsafeBytes { data.append(contentsOf: $0) }
            case .f16:
                var raw = [UInt16](repeating: 0, count: entry.values.count)
                for i in raw.indices { raw[i] = Float16(entry.values[i]).bitPattern.littleEndian }
                raw.withUnsafeBytes { data.append(contentsOf: $0) }
            }
        }
        return data
    }

    /// Writes the file to `url` through a temporary name in the same directory.
    public func write(to url: URL, precision: Precision) throws {
        do {
            try encoded(precision: precision).write(to: url, options: .atomic)
        } catch {
            throw PSGANError(.model, file: url.path, "cannot write the file (\(ErrorText.reason(error)))")
        }
    }
}
