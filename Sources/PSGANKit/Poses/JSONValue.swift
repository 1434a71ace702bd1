import Foundation

extension PoseFileReader {
    /// A parsed JSON value, read with Foundation's `JSONSerialization`; booleans stay apart from numbers.
    ///
    /// `JSONSerialization` returns booleans as `NSNumber`s of a class of their own (`__NSCFBoolean`
    /// on Linux as on Apple platforms), which is how ``init(foundation:depth:)`` tells `true` from `1`.
    enum JSONValue: Equatable {
        case null
        case bool(Bool)
        case number(Double)
        /// A number too large for a `Double`, such as `1e400`. (`JSONSerialization` currently
        /// rejects such numbers outright; this case catches any that come back infinite.)
        case unrepresentableNumber
        case string(String)
        case array([JSONValue])
        case object([String: JSONValue])

        /// Invalid JSON: Foundation's explanation, with the line, column and text where it points.
        struct SyntaxError: Error {
            var message: String
        }

        /// How deeply arrays and objects may nest; pose files need 4. (`JSONSerialization` has
        /// the same limit of its own.)
        static let maximumDepth = 512

        /// The class of `NSNumber`s that hold booleans.
        private static let booleanClass: AnyClass = type(of: NSNumber(value: true))

        /// Parses the JSON text in `data` (a top-level scalar is allowed).
        static func parse(_ data: Data) throws(SyntaxError) -> JSONValue {
            let object: Any
            do {
                object = try JSONSerialization.jsonObject(with: data, options: [.fragmentsAllowed])
            } catch {
                throw SyntaxError(message: describe(error, in: data))
            }
            return try JSONValue(foundation: object)
        }

        /// Converts what `JSONSerialization` returned.
        init(foundation object: Any, depth: Int = 0) throws(SyntaxError) {
            // Casting a Swift array to a class bridges it first, which is slow (on Linux, 10 times
            // slower overall), so class instances (numbers, null) are told apart before the rest.
            if type(of: object) is AnyObject.Type {
                if let number = object as? NSNumber {
                    self = Self(number)
                    return
                }
                if object is NSNull {
                    self = .null
                    return
                }
            }
            switch object {
            case let items as [Any]:
                guard depth < Self.maximumDepth else { throw Self.tooDeep }
                var values: [JSONValue] = []
                values.reserveCapacity(items.count)
                for item in items {
                    values.append(try JSONValue(foundation: item, depth: depth + 1))
                }
                self = .array(values)
            case let string as String:
                self = .string(string)
            case let members as [String: Any]:
                guard depth < Self.maximumDepth else { throw Self.tooDeep }
                var values: [String: JSONValue] = [:]
                values.reserveCapacity(members.count)
                for (key, member) in members {
                    values[key] = try JSONValue(foundation: member, depth: depth + 1)
                }
                self = .object(values)
            case let number as NSNumber:
                self = Self(number)
            case is NSNull:
                self = .null
            default:
                throw SyntaxError(message: "JSONSerialization returned an unexpected \(type(of: object))")
            }
        }

        /// A boolean, or a number, from JSONSerialization's `NSNumber`.
        private init(_ number: NSNumber) {
            if ObjectIdentifier(type(of: number)) == ObjectIdentifier(Self.booleanClass) {
                self = .bool(number.boolValue)
                return
            }
            // An NSDecimalNumber (used for long mantissas) converts exactly only through its text.
            let value = (number as? NSDecimalNumber).flatMap { Double($0.stringValue) } ?? number.doubleValue
            self = value.isFinite ? .number(value) : .unrepresentableNumber
        }

        private static var tooDeep: SyntaxError {
            SyntaxError(message: "arrays and objects nested more than \(maximumDepth) deep")
        }

        /// What kind of value this is, for messages: "a string", "the number 3", ...
        var kind: String {
            switch self {
            case .null: return "null"
            case .bool(let value): return value ? "true" : "false"
            case .number(let value): return "the number \(value.displayed())"
            case .unrepresentableNumber: return "a number too large to represent"
            case .string: return "a string"
            case .array: return "an array"
            case .object: return "an object"
            }
        }

        /// Like ``kind``, with the element count for arrays: "an array of 2 values".
        var kindWithCount: String {
            if case .array(let items) = self { return "an array of \(PSGANError.count(items.count, "value"))" }
            return kind
        }

        /// One line explaining a `JSONSerialization` error: its debug description and, where that
        /// gives a byte offset ("around character 12"), the line, column and text there.
        static func describe(_ error: Error, in data: Data) -> String {
            let raw = (error as NSError).userInfo[NSDebugDescriptionErrorKey] as? String ?? "\(error)"
            // Foundation's text can quote the file (a whole number, newlines); keep the message one short line.
            var text = oneLine(raw)
            // Foundation's words for a number out of range name its implementation language.
            if let range = text.range(of: #"Number (\S+) is not representable in Swift"#, options: .regularExpression) {
                let number = text[range].split(separator: " ")[1]
                text.replaceSubrange(range, with: "the number \(number) is too large (beyond ±1.8e308)")
            }
            if text.count > 200 { text = text.prefix(140) + "..." + text.suffix(40) }
            if text.hasSuffix(".") { text.removeLast() }
            guard let range = raw.range(of: #"around character \d+"#, options: .regularExpression),
                  let offset = Int(raw[range].split(separator: " ").last ?? ""),
                  offset >= 0, offset <= data.count else {
                return text
            }
            let bytes = [UInt8](data)
            let (line, column) = lineAndColumn(of: offset, in: bytes)
            let window = bytes[offset..<min(bytes.count, offset + 80)]  // 20 characters at most 4 bytes each
            let lineEnd = window.firstIndex { $0 == 0x0A || $0 == 0x0D } ?? window.endIndex
            var excerpt = oneLine(String(decoding: bytes[offset..<lineEnd], as: UTF8.self))
            if excerpt.count > 20 { excerpt = String(excerpt.prefix(20)) + "..." }
            let at = excerpt.isEmpty ? "at the end of the line" : "at \"\(excerpt)\""
            return "line \(line), column \(column), \(at): \(text)"
        }

        /// `text` with newlines, tabs and other control characters made spaces.
        private static func oneLine(_ text: String) -> String {
            String(text.map { $0.unicodeScalars.contains { $0.properties.generalCategory == .control } || $0.isNewline ? " " : $0 })
        }

        /// The 1-based line and column (counting characters, not bytes) of byte `offset` in UTF-8 `bytes`.
        static func lineAndColumn(of offset: Int, in bytes: [UInt8]) -> (line: Int, column: Int) {
            let end = min(max(offset, 0), bytes.count)
            var line = 1, column = 1
            for byte in bytes[..<end] {
                if byte == 0x0A {
                    line += 1
                    column = 1
                } else if byte & 0xC0 != 0x80 {  // not a UTF-8 continuation byte
                    column += 1
                }
            }
            return (line, column)
        }
    }
}
