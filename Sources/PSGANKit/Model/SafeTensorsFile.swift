import Foundation

/// A safetensors file, read and validated: its metadata and the location of every tensor.
///
/// Layout: an 8-byte little-endian header length N, a JSON header of N bytes, then the raw tensor
/// bytes. The header maps each tensor name to `dtype`, `shape` and `data_offsets` (relative to the
/// start of the data area), and may hold `__metadata__`, an object of strings. Opening a file checks
/// the header's size and syntax and that every tensor's bytes lie inside the file, match its dtype
/// and shape, and do not overlap another tensor's; values are checked when read by ``floats(_:)``.
public struct SafeTensorsFile {
    /// Element types this reader knows. Only `F32` and `F16` can be read as floats.
    public enum DType: String, Sendable {
        case f32 = "F32"
        case f16 = "F16"
        case bf16 = "BF16"
        case f64 = "F64"
        case i64 = "I64"
        case i32 = "I32"
        case i16 = "I16"
        case i8 = "I8"
        case u8 = "U8"
        case bool = "BOOL"

        /// Bytes per element.
        public var size: Int {
            switch self {
            case .f64, .i64: return 8
            case .f32, .i32: return 4
            case .f16, .bf16, .i16: return 2
            case .i8, .u8, .bool: return 1
            }
        }
    }

    /// Where one tensor lives in the file.
    public struct TensorInfo: Equatable, Sendable {
        /// The tensor's name in the header.
        public let name: String
        /// Its element type.
        public let dtype: DType
        /// Its shape, outermost dimension first.
        public let shape: [Int]
        /// Its bytes, as offsets into the whole file.
        public let byteRange: Range<Int>

        /// Number of elements (1 for a scalar).
        public var elementCount: Int { shape.reduce(1, *) }
    }

    /// The largest header accepted (the safetensors format's own limit).
    public static let maximumHeaderSize = 100_000_000

    /// The path used in error messages.
    public let path: String
    /// The `__metadata__` strings (empty when absent).
    public let metadata: [String: String]
    /// Every tensor in the file, by name.
    public let tensors: [String: TensorInfo]
    private let bytes: Data

    /// Reads and validates the file at `url`.
    public init(contentsOf url: URL) throws {
        let path = url.path
        let data: Data
        do {
            data = try Data(contentsOf: url, options: .alwaysMapped)
        } catch {
            throw PSGANError(.model, file: path, "cannot read the file (\(ErrorText.reason(error)))")
        }
        try self.init(data: data, path: path)
    }

    /// Validates a safetensors image held in memory; `path` names it in errors.
    public init(data: Data, path: String) throws {
        self.path = path
        self.bytes = data
        guard data.count >= 8 else {
            throw PSGANError(.model, file: path, "truncated file: \(data.count) bytes, too short for a safetensors header")
        }
        var headerLength: UInt64 = 0
        for i in 0..<8 { headerLength |= UInt64(data[data.startIndex + i]) << (8 * UInt64(i)) }
        guard headerLength <= UInt64(Self.maximumHeaderSize) else {
            throw PSGANError(.model, file: path, "header of \(headerLength) bytes is larger than the \(Self.maximumHeaderSize)-byte limit (not a safetensors file?)")
        }
        guard headerLength <= UInt64(data.count - 8) else {
            throw PSGANError(.model, file: path, "truncated file: header claims \(headerLength) bytes but only \(data.count - 8) follow")
        }
        let headerEnd = 8 + Int(headerLength)
        let headerBytes = data.subdata(in: data.startIndex + 8 ..< data.startIndex + headerEnd)
        let object: Any
        do {
            object = try JSONSerialization.jsonObject(with: headerBytes)
        } catch {
            throw PSGANError(.model, file: path, "malformed header: not valid JSON")
        }
        guard let header = object as? [String: Any] else {
            throw PSGANError(.model, file: path, "malformed header: expected a JSON object")
        }
        // JSON parsers keep one of two equal keys silently; a file naming a tensor twice is ambiguous.
        let keys = Self.topLevelKeys(headerBytes)
        if keys.count != header.count {
            let twice = Dictionary(grouping: keys, by: { $0 }).first(where: { $0.value.count > 1 }).map { ErrorText.quoted($0.key) }
            throw PSGANError(.model, file: path, "malformed header: key \(twice ?? "(written two ways)") appears more than once")
        }

        var metadata: [String: String] = [:]
        if let raw = header["__metadata__"] {
            guard let dict = raw as? [String: Any] else {
                throw PSGANError(.model, file: path, "malformed header: __metadata__ is not an object")
            }
            for (key, value) in dict {
                guard let string = value as? String else {
                    throw PSGANError(.model, file: path, "malformed header: __metadata__ value '\(key)' is not a string")
                }
                metadata[key] = string
            }
        }

        let dataSize = data.count - headerEnd
        var tensors: [String: TensorInfo] = [:]
        for (name, raw) in header where name != "__metadata__" {
            guard let entry = raw as? [String: Any] else {
                throw PSGANError(.model, file: path, "tensor '\(name)': header entry is not an object")
            }
            guard let dtypeName = entry["dtype"] as? String else {
                throw PSGANError(.model, file: path, "tensor '\(name)': missing dtype")
            }
            guard let dtype = DType(rawValue: dtypeName) else {
                throw PSGANError(.model, file: path, "tensor '\(name)': unknown dtype '\(dtypeName)'")
            }
            guard let shape = Self.integers(entry["shape"]), shape.allSatisfy({ $0 >= 0 }) else {
                throw PSGANError(.model, file: path, "tensor '\(name)': shape is not a list of non-negative integers")
            }
            guard let offsets = Self.integers(entry["data_offsets"]), offsets.count == 2 else {
                throw PSGANError(.model, file: path, "tensor '\(name)': data_offsets is not a pair of integers")
            }
            let (begin, end) = (offsets[0], offsets[1])
            guard begin >= 0, begin <= end else {
                throw PSGANError(.model, file: path, "tensor '\(name)': data_offsets [\(begin), \(end)] are not in order")
            }
            guard end <= dataSize else {
                throw PSGANError(.model, file: path, "tensor '\(name)': data_offsets [\(begin), \(end)] lie outside the file's \(dataSize) data bytes (truncated file?)")
            }
            var count = 1
            for dim in shape {
                let (product, overflow) = count.multipliedReportingOverflow(by: dim)
                guard !overflow, product <= dataSize else {
                    throw PSGANError(.model, file: path, "tensor '\(name)': shape \(shape) is larger than the file")
                }
                count = product
            }
            guard count * dtype.size == end - begin else {
                throw PSGANError(.model, file: path, "tensor '\(name)': \(end - begin) bytes do not hold a \(dtypeName) tensor of shape \(shape) (\(count * dtype.size) bytes)")
            }
            tensors[name] = TensorInfo(name: name, dtype: dtype, shape: shape,
                                       byteRange: headerEnd + begin ..< headerEnd + end)
        }

        let ordered = tensors.values.filter { !$0.byteRange.isEmpty }.sorted { $0.byteRange.lowerBound < $1.byteRange.lowerBound }
        for (a, b) in zip(ordered, ordered.dropFirst()) where a.byteRange.upperBound > b.byteRange.lowerBound {
            throw PSGANError(.model, file: path, "tensors '\(a.name)' and '\(b.name)' overlap in the file")
        }
        // The format's rule: the tensors cover the data exactly, with no gaps and nothing after them.
        var covered = headerEnd
        for tensor in ordered {
            guard tensor.byteRange.lowerBound == covered else {
                throw PSGANError(.model, file: path, "\(tensor.byteRange.lowerBound - covered) bytes before tensor '\(tensor.name)' belong to no tensor (damaged file?)")
            }
            covered = tensor.byteRange.upperBound
        }
        guard covered == data.count else {
            throw PSGANError(.model, file: path, "\(data.count - covered) bytes after the last tensor belong to no tensor (damaged or appended-to file?)")
        }
        self.metadata = metadata
        self.tensors = tensors
    }

    /// The tensor `name` as 32-bit floats (F16 is widened), rejecting NaN and infinite values.
    public func floats(_ name: String) throws -> [Float] {
        guard let info = tensors[name] else {
            throw PSGANError(.model, file: path, "tensor '\(name)' is missing")
        }
        let count = info.elementCount
        var result = [Float](repeating: 0, count: count)
        try bytes.withUnsafeBytes { (raw: UnsafeRawBufferPointer) in
            let base = raw.baseAddress! + info.byteRange.lowerBound
            try result.withUnsafeMutableBufferPointer { out in
                switch info.dtype {
                case .f32:
                    for i in 0..<count {
                        out[i] = Float(bitPattern: UInt32(littleEndian: base.loadUnaligned(fromByteOffset: 4 * i, as: UInt32.self)))
                    }
                case .f16:
                    for i in 0..<count {
                        let bits = UInt16(littleEndian: base.loadUnaligned(fromByteOffset: 2 * i, as: UInt16.self))
                        out[i] = Float(Float16(bitPattern: bits))
                    }
                default:
                    throw PSGANError(.model, file: path, "tensor '\(name)' has dtype \(info.dtype.rawValue); expected F32 or F16")
                }
                if let bad = out.firstIndex(where: { !$0.isFinite }) {
                    throw PSGANError(.model, file: path, "tensor '\(name)' holds a non-finite value (\(out[bad])) at element \(bad)")
                }
            }
        }
        return result
    }

    private static func integers(_ value: Any?) -> [Int]? {
        guard let list = value as? [Any] else { return nil }
        var result: [Int] = []
        for item in list {
            if let int = item as? Int {
                result.append(int)
            } else if let double = item as? Double, double == double.rounded(), abs(double) < 1e15 {
                result.append(Int(double))
            } else {
                return nil
            }
        }
        return result
    }

    /// The keys of the JSON object `header` at its top level, as written (escapes not decoded), in
    /// order and with repeats: enough to notice a key given twice.
    private static func topLevelKeys(_ header: Data) -> [String] {
        var keys: [String] = []
        var depth = 0, inString = false, escaped = false
        var current: [UInt8] = [], lastString: [UInt8]? = nil
        for byte in header {
            if inString {
                if escaped { escaped = false } else if byte == UInt8(ascii: "\\") { escaped = true } else if byte == UInt8(ascii: "\"") {
                    inString = false
                    lastString = depth == 1 ? current : nil
                    continue
                }
                if depth == 1 { current.append(byte) }
                continue
            }
            switch byte {
            case UInt8(ascii: "\""): inString = true; current = []
            case UInt8(ascii: "{"), UInt8(ascii: "["): depth += 1; lastString = nil
            case UInt8(ascii: "}"), UInt8(ascii: "]"): depth -= 1; lastString = nil
            case UInt8(ascii: ":"):
                if let key = lastString { keys.append(String(decoding: key, as: UTF8.self)) }
                lastString = nil
            case UInt8(ascii: " "), UInt8(ascii: "\n"), UInt8(ascii: "\r"), UInt8(ascii: "\t"): break
            default: lastString = nil
            }
        }
        return keys
    }
}
