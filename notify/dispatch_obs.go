package notify

import "deputybot/obs"

// observeSend counts one send request to WeChat on channel by the errcode
// it drew (for /metrics).
func (d *Dispatcher) observeSend(channel string, err error) {
	code := 0
	if err != nil {
		_, code = d.sender.Classify(err)
	}
	obs.DeliverySent(channel, code, err)
}
