package wechatsim

// AddFollowers makes openids followers without calling the bot, as if they
// had followed long ago: for benchmarks and load tests that need many
// reachable users quickly.
func (s *Sim) AddFollowers(openids ...string) {
	for _, id := range openids {
		u := s.User(id)
		s.mu.Lock()
		st := s.users[u.openid]
		st.following = true
		st.subscribeTime = s.now()
		s.mu.Unlock()
	}
}
