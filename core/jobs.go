package core

import "deputybot/model"

// requireJob lets a scheduled job act (the scheduler names it with
// SystemActor), or an administrator running one by hand.
func requireJob(by Actor) error {
	if by.Via == ViaJob && by.Job != "" || by.Role() == model.RoleAdmin {
		return nil
	}
	return Forbidden("此操作由定时任务执行")
}
