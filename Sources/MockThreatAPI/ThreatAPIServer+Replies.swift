import Diagnostics

extension ThreatAPIServer {
    /// The reply to a complete request. Never blocks: delays are carried in the reply.
    func reply(method: String, rawTarget: [UInt8], body: [UInt8]) -> Reply {
        let target: RequestTarget
        do {
            target = try RequestTarget(raw: rawTarget)
        } catch {
            return Reply(response: error, kind: .other)
        }
        guard let route = Route(path: target.path) else {
            return Reply(response: .error(status: 404, "no such endpoint"), kind: .other)
        }
        let kind: RequestKind = if case .lookup = route { .lookup } else if route.isAdmin { .admin } else { .other }
        guard route.allowedMethods.contains(method) else {
            let allow = HTTPResponse.Header(name: "Allow", value: route.allowedMethods.joined(separator: ", "))
            return Reply(response: .error(status: 405, "method not allowed", headers: [allow]), kind: kind)
        }

        switch route {
        case .lookup(let ip):
            return lookupReply(ip: ip)
        case .health:
            let response = faults.down ? HTTPResponse.json(status: 503, Self.downStatus) : .json(Self.upStatus)
            return Reply(response: response, kind: kind)
        case .adminDown, .adminUp:
            setDown(route == .adminDown)
            return Reply(response: .json(route == .adminDown ? Self.downStatus : Self.upStatus), kind: kind)
        case .adminFaults:
            let response = method == "POST" ? changeFaults(target.query, body: body) : .json(faults.json)
            return Reply(response: response, kind: kind)
        case .adminStats:
            return Reply(response: .json(statsJSON()), kind: kind)
        case .adminReset:
            state.withLock { state in
                state.faults = FaultSettings()
                state.stats = RequestStats()
            }
            logger.notice("faults and statistics reset")
            return Reply(response: .json(FaultSettings().json), kind: kind)
        }
    }

    private static let upStatus = #"{"status":"ok"}"#
    private static let downStatus = #"{"status":"down"}"#

    private enum Admission {
        case down
        case rateLimited
        case admitted(FaultSettings)
    }

    private func lookupReply(ip: String) -> Reply {
        let admission = state.withLock { state -> Admission in
            if state.faults.down { return .down }
            if let limit = state.faults.rateLimit {
                let second = MonotonicClock.nanoseconds() / 1_000_000_000
                if second != state.rateWindowSecond {
                    state.rateWindowSecond = second
                    state.rateWindowCount = 0
                }
                guard state.rateWindowCount < limit else { return .rateLimited }
                state.rateWindowCount += 1
            }
            return .admitted(state.faults)
        }

        let faults: FaultSettings
        switch admission {
        case .down:
            return Reply(response: .error(status: 503, "service down"), kind: .lookup)
        case .rateLimited:
            let retry = HTTPResponse.Header(name: "Retry-After", value: "1")
            return Reply(response: .error(status: 429, "rate limit exceeded", headers: [retry]), kind: .lookup)
        case .admitted(let admitted):
            faults = admitted
        }

        let response: HTTPResponse
        if faults.errorRate > 0, Double.random(in: 0..<1) < faults.errorRate {
            response = .error(status: Bool.random() ? 500 : 503, "injected fault")
        } else if let answer = VerdictTable.answer(for: ip) {
            response = .json(answer.json)
        } else {
            response = .error(status: 400, "not a valid IPv4 or IPv6 address")
        }

        if faults.hangRate > 0, Double.random(in: 0..<1) < faults.hangRate {
            return Reply(response: response, delayMilliseconds: faults.hangMilliseconds, kind: .lookup)
        }
        let jitter = faults.jitterMilliseconds > 0 ? Int.random(in: 0...faults.jitterMilliseconds) : 0
        return Reply(response: response, delayMilliseconds: faults.latencyMilliseconds + jitter, kind: .lookup)
    }

    private func changeFaults(_ query: [(name: String, value: String)], body: [UInt8]) -> HTTPResponse {
        var parameters = query
        if body.contains(where: { ![0x20, 0x09, 0x0A, 0x0D].contains($0) }) {
            do {
                parameters += try FlatJSONObject.parse(body)
            } catch {
                return .error(status: 400, "body is not a flat JSON object: \(error)")
            }
        }
        // Read, change and store under one lock so two admin calls cannot lose each other's changes.
        let result = state.withLock { state -> Result<FaultSettings, FaultSettingsError> in
            do throws(FaultSettingsError) {
                state.faults = try state.faults.applying(parameters)
                return .success(state.faults)
            } catch {
                return .failure(error)
            }
        }
        switch result {
        case .success(let faults):
            logger.notice("faults changed", ["faults": faults.json])
            return .json(faults.json)
        case .failure(let error):
            return .error(status: 400, error.description)
        }
    }

    private func statsJSON() -> String {
        let (stats, faults, suspended) = state.withLock { ($0.stats, $0.faults, $0.suspended.count) }
        let counts = stats.json.dropLast()
        return "\(counts),\"in_flight_delayed\":\(suspended),\"down\":\(faults.down),\"faults\":\(faults.json)}"
    }
}
