package core

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"math/big"
	"regexp"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"golang.org/x/crypto/bcrypt"

	"deputybot/model"
	"deputybot/storage"
)

// Roles lists every role, in the order the console offers them.
var Roles = []string{model.RoleAdmin, model.RoleStaff, model.RoleUnit, model.RoleReadonly}

var roleLabels = map[string]string{
	model.RoleAdmin: "管理员", model.RoleStaff: "工作人员", model.RoleUnit: "承办单位", model.RoleReadonly: "只读",
}

// RoleLabel returns the Chinese name of a role.
func RoleLabel(role string) string {
	if l, ok := roleLabels[role]; ok {
		return l
	}
	return role
}

// TokenPrefix starts every API token, so a leaked one is recognisable.
const TokenPrefix = "dbt_"

// The login limit's defaults: 5 failures within 15 minutes lock the
// account (or the address) for 15 minutes.
const (
	DefaultMaxFailures = 5
	DefaultFailWindow  = 15 * time.Minute
	DefaultLockFor     = 15 * time.Minute
)

// Authentication errors. Their text is the Chinese message to show.
var (
	ErrBadCredentials  = errors.New("用户名或密码错误。")
	ErrAccountDisabled = errors.New("该账号已停用，请联系管理员。")
	ErrBadToken        = errors.New("API 令牌无效或已撤销。")
)

// LockedError refuses a login while an account or an address has failed
// too often; its text says until when, in Chinese.
type LockedError struct {
	Until     time.Time
	ByAddress bool // the address is locked, not (only) the account
	loc       *time.Location
	now       time.Time
}

func (e *LockedError) Error() string {
	until := e.Until
	if e.loc != nil {
		until = until.In(e.loc)
	}
	when := until.Format("15:04")
	if n := e.now.In(until.Location()); n.YearDay() != until.YearDay() || n.Year() != until.Year() {
		when = fmt.Sprintf("%d月%d日 %s", until.Month(), until.Day(), when)
	}
	if e.ByAddress {
		return fmt.Sprintf("此网络地址登录失败次数过多，已暂时锁定，请于 %s 后再试。", when)
	}
	return fmt.Sprintf("登录失败次数过多，账号已锁定，请于 %s 后再试。", when)
}

// Staff manages console accounts, their logins, API tokens and the audit
// log.
type Staff struct {
	db *storage.DB
	// Now is the clock of the login limit; default time.Now.
	Now func() time.Time
	// Loc is the time zone of lock messages; default Asia/Shanghai.
	Loc *time.Location
	// HashCost is bcrypt's cost; default bcrypt.DefaultCost (tests lower it).
	HashCost int
	// MaxFailures failed logins within FailWindow lock the account, and
	// separately the address, for LockFor.
	MaxFailures int
	FailWindow  time.Duration
	LockFor     time.Duration

	env *env // the transaction and audit of staff's actions on accounts
}

// NewStaff returns the staff service over db.
func NewStaff(db *storage.DB) *Staff {
	loc, err := time.LoadLocation("Asia/Shanghai")
	if err != nil {
		loc = time.FixedZone("CST", 8*3600)
	}
	return &Staff{db: db, Now: time.Now, Loc: loc, HashCost: bcrypt.DefaultCost,
		MaxFailures: DefaultMaxFailures, FailWindow: DefaultFailWindow, LockFor: DefaultLockFor, env: newEnv(db)}
}

// NewAccount describes an account to create. An empty Password means one
// is generated (and must be changed at first login).
type NewAccount struct {
	Username, Name, Role, Unit, Password string
}

var usernameRE = regexp.MustCompile(`^[a-z0-9][a-z0-9._-]{1,31}$`)

// NormalizeUsername lower-cases and trims a username.
func NormalizeUsername(s string) string { return strings.ToLower(strings.TrimSpace(s)) }

func checkAccount(username, name, role, unit string) ValidationError {
	var errs ValidationError
	if !usernameRE.MatchString(username) {
		errs = append(errs, &FieldError{Key: "username", Label: "用户名", Value: username, Msg: "应为 2–32 位小写字母、数字或 . _ -，以字母或数字开头"})
	}
	if utf8.RuneCountInString(name) > 50 {
		errs = append(errs, &FieldError{Key: "name", Label: "姓名", Value: name, Msg: "过长（最多 50 个字）"})
	}
	if _, ok := roleLabels[role]; !ok {
		errs = append(errs, &FieldError{Key: "role", Label: "角色", Value: role, Msg: "应为 管理员、工作人员、承办单位 或 只读"})
	}
	if role == model.RoleUnit && unit == "" {
		errs = append(errs, &FieldError{Key: "unit", Label: "承办单位", Value: "", Msg: "承办单位账号须填写单位名称"})
	}
	if utf8.RuneCountInString(unit) > 100 {
		errs = append(errs, &FieldError{Key: "unit", Label: "承办单位", Value: unit, Msg: "过长（最多 100 个字）"})
	}
	return errs
}

// CheckPassword returns why a new password is refused, or nil.
func CheckPassword(p string) *FieldError {
	switch {
	case utf8.RuneCountInString(p) < 10:
		return &FieldError{Key: "password", Label: "密码", Msg: "至少 10 位"}
	case len(p) > 72:
		return &FieldError{Key: "password", Label: "密码", Msg: "过长（最多 72 个字节）"}
	}
	return nil
}

// Create validates and stores a new account and returns it with its
// password: the one given, or a generated one the holder must change at
// first login.
func (s *Staff) Create(ctx context.Context, in NewAccount) (model.Account, string, error) {
	a := model.Account{Username: NormalizeUsername(in.Username), Name: strings.TrimSpace(in.Name),
		Role: strings.TrimSpace(in.Role), Unit: strings.TrimSpace(in.Unit)}
	if a.Role != model.RoleUnit {
		a.Unit = ""
	}
	errs := checkAccount(a.Username, a.Name, a.Role, a.Unit)
	password := in.Password
	if password == "" {
		password, a.MustChangePassword = GeneratePassword(), true
	} else if fe := CheckPassword(password); fe != nil {
		errs = append(errs, fe)
	}
	if len(errs) > 0 {
		return model.Account{}, "", errs
	}
	hash, err := s.hash(password)
	if err != nil {
		return model.Account{}, "", err
	}
	a.PasswordHash = hash
	if err := s.db.CreateAccount(ctx, &a); errors.Is(err, model.ErrConflict) {
		return model.Account{}, "", ValidationError{{Key: "username", Label: "用户名", Value: a.Username, Msg: "已被使用"}}
	} else if err != nil {
		return model.Account{}, "", err
	}
	return a, password, nil
}

func (s *Staff) hash(password string) (string, error) {
	b, err := bcrypt.GenerateFromPassword([]byte(password), s.HashCost)
	if err != nil {
		return "", fmt.Errorf("core: hash password: %w", err)
	}
	return string(b), nil
}

// setPassword gives the account a new password; mustChange makes its
// holder choose another at the next login.
func (s *Staff) setPassword(ctx context.Context, id int64, password string, mustChange bool) error {
	if fe := CheckPassword(password); fe != nil {
		return ValidationError{fe}
	}
	hash, err := s.hash(password)
	if err != nil {
		return err
	}
	return s.db.SetAccountPassword(ctx, id, hash, mustChange)
}

// resetPassword gives the account a generated password, to be changed at
// the next login, and returns it.
func (s *Staff) resetPassword(ctx context.Context, id int64) (string, error) {
	p := GeneratePassword()
	return p, s.setPassword(ctx, id, p, true)
}

// Get returns an account by id.
func (s *Staff) Get(ctx context.Context, id int64) (model.Account, error) {
	return s.db.GetAccount(ctx, id)
}

// GetByUsername returns an account by username.
func (s *Staff) GetByUsername(ctx context.Context, username string) (model.Account, error) {
	return s.db.GetAccountByUsername(ctx, NormalizeUsername(username))
}

// List returns every account.
func (s *Staff) List(ctx context.Context) ([]model.Account, error) { return s.db.ListAccounts(ctx) }

// SessionStamp fingerprints what a console session depends on: a session
// started before the password changed no longer matches.
func SessionStamp(a model.Account) string {
	sum := sha256.Sum256([]byte(a.PasswordHash))
	return hex.EncodeToString(sum[:8])
}

// dummyHash is compared against when the username is unknown, so a wrong
// username takes as long as a wrong password.
var dummyHash = sync.OnceValue(func() []byte {
	h, _ := bcrypt.GenerateFromPassword([]byte("deputybot-no-such-user"), bcrypt.DefaultCost)
	return h
})

// Authenticate checks a console login from addr (the client's IP; may be
// empty). It returns a *LockedError while the account or the address is
// locked, ErrBadCredentials for a wrong username or password (the failure
// counts against both), ErrAccountDisabled for a disabled account.
func (s *Staff) Authenticate(ctx context.Context, username, password, addr string) (model.Account, error) {
	a, err := s.authenticate(ctx, username, password, addr)
	if err != nil {
		return a, err
	}
	if err := s.db.TouchAccountLogin(ctx, a.ID); err != nil {
		return model.Account{}, err
	}
	at := s.Now().UTC()
	a.LastLoginAt = &at
	return a, nil
}

// authenticate checks username and password under the login limit, as
// Authenticate does, and records nothing of a success.
func (s *Staff) authenticate(ctx context.Context, username, password, addr string) (model.Account, error) {
	username = NormalizeUsername(username)
	a, err := s.db.GetAccountByUsername(ctx, username)
	hash := dummyHash()
	if err == nil {
		hash = []byte(a.PasswordHash)
	} else if !errors.Is(err, model.ErrNotFound) {
		return model.Account{}, err
	}
	if ok, lerr := s.checkPassword(ctx, username, addr, hash, password); lerr != nil {
		return model.Account{}, lerr
	} else if !ok || err != nil {
		return model.Account{}, ErrBadCredentials
	}
	if a.Disabled {
		return model.Account{}, ErrAccountDisabled
	}
	return a, nil
}

// loginKeys are the keys a password check of username from addr counts
// under: the account and the address. Keys are bounded (the column holds
// 191 characters); a longer name is no username anyway.
func loginKeys(username, addr string) []string {
	keys := []string{"u:" + clipRunes(username, 100)}
	if addr != "" {
		keys = append(keys, "a:"+clipRunes(addr, 100))
	}
	return keys
}

// checkPassword compares password with hash under the login limit of
// username and addr, for the login and for the current password on the
// password page alike. The attempt is reserved under each key before the
// comparison (atomically, in the database every instance shares), so
// parallel requests cannot run more comparisons than the limit allows:
// it returns a *LockedError, comparing nothing, while a key is locked. A
// wrong password stays recorded as a failure (and returns the
// *LockedError when it completes the run that locks); the right one
// clears the account's failures.
func (s *Staff) checkPassword(ctx context.Context, username, addr string, hash []byte, password string) (bool, error) {
	keys := loginKeys(username, addr)
	now := s.Now()
	since := now.Add(-s.FailWindow - s.LockFor)
	var ids []int64
	release := func() {
		for _, id := range ids {
			// The attempt was not made: a leftover would only count
			// against the user, so a failure to release is not fatal.
			_ = s.db.ReleaseLoginAttempt(context.WithoutCancel(ctx), id)
		}
	}
	for i, k := range keys {
		var until time.Time
		id, _, err := s.db.ReserveLoginAttempt(ctx, k, since, s.MaxFailures, func(recent []time.Time) bool {
			var locked bool
			until, locked = s.lockedUntil(recent, now)
			return locked
		})
		if err != nil {
			release()
			return false, err
		}
		if id == 0 {
			release()
			return false, &LockedError{Until: until, ByAddress: i > 0, loc: s.Loc, now: now}
		}
		ids = append(ids, id)
	}
	if bcrypt.CompareHashAndPassword(hash, []byte(password)) != nil {
		// The reservations stay: they are the failures.
		if err := s.db.PruneLoginAttempts(ctx, now.Add(-s.FailWindow-s.LockFor)); err != nil {
			return false, err
		}
		if err := s.checkLocks(ctx, keys); err != nil {
			return false, err
		}
		return false, nil
	}
	release()
	if err := s.db.ClearLoginFailures(ctx, keys[0]); err != nil {
		return true, err
	}
	return true, nil
}

// lockedUntil tells whether the newest attempts of a key (newest first,
// at most MaxFailures of them) lock it at now, and until when: MaxFailures
// within FailWindow lock it for LockFor after the newest. Attempts are not
// recorded while locked, so the newest one completed the run.
func (s *Staff) lockedUntil(recent []time.Time, now time.Time) (time.Time, bool) {
	if len(recent) < s.MaxFailures || recent[len(recent)-1].Before(recent[0].Add(-s.FailWindow)) {
		return time.Time{}, false
	}
	until := recent[0].Add(s.LockFor)
	return until, until.After(now)
}

// checkLocks returns a *LockedError when a key is locked.
func (s *Staff) checkLocks(ctx context.Context, keys []string) error {
	now := s.Now()
	for i, k := range keys {
		fails, err := s.db.LoginFailures(ctx, k, now.Add(-s.FailWindow-s.LockFor), s.MaxFailures)
		if err != nil {
			return err
		}
		if until, locked := s.lockedUntil(fails, now); locked {
			return &LockedError{Until: until, ByAddress: i > 0, loc: s.Loc, now: now}
		}
	}
	return nil
}

func clipRunes(s string, n int) string {
	if r := []rune(s); len(r) > n {
		return string(r[:n])
	}
	return s
}

// CreateToken issues an API token named name for a and returns it; only
// its hash is kept, so this is the one time it can be shown.
func (s *Staff) CreateToken(ctx context.Context, a model.Account, name string) (string, model.APIToken, error) {
	name = strings.TrimSpace(name)
	if name == "" || utf8.RuneCountInString(name) > 100 {
		return "", model.APIToken{}, ValidationError{{Key: "name", Label: "令牌名称", Value: name, Msg: "不能为空，最多 100 个字（如“建议办理系统”）"}}
	}
	token := TokenPrefix + rand.Text()
	t := model.APIToken{StaffID: a.ID, Name: name, Hash: tokenHash(token)}
	if err := s.db.CreateAPIToken(ctx, &t); err != nil {
		return "", model.APIToken{}, err
	}
	return token, t, nil
}

func tokenHash(token string) string {
	sum := sha256.Sum256([]byte(token))
	return hex.EncodeToString(sum[:])
}

// Tokens lists the API tokens of an account.
func (s *Staff) Tokens(ctx context.Context, staffID int64) ([]model.APIToken, error) {
	return s.db.ListAPITokens(ctx, staffID)
}

// tokenTouchEvery bounds how often a token's last use is written: once a
// minute is precise enough and spares a write per request.
const tokenTouchEvery = time.Minute

// AuthenticateToken returns the account an API token belongs to, or
// ErrBadToken when it is unknown, revoked or its account disabled.
func (s *Staff) AuthenticateToken(ctx context.Context, token string) (model.Account, error) {
	if !strings.HasPrefix(token, TokenPrefix) {
		return model.Account{}, ErrBadToken
	}
	t, err := s.db.GetAPITokenByHash(ctx, tokenHash(token))
	if errors.Is(err, model.ErrNotFound) {
		return model.Account{}, ErrBadToken
	} else if err != nil {
		return model.Account{}, err
	}
	if t.RevokedAt != nil {
		return model.Account{}, ErrBadToken
	}
	a, err := s.db.GetAccount(ctx, t.StaffID)
	if err != nil {
		return model.Account{}, err
	}
	if a.Disabled {
		return model.Account{}, ErrBadToken
	}
	if t.LastUsedAt == nil || s.Now().Sub(*t.LastUsedAt) >= tokenTouchEvery {
		if err := s.db.TouchAPIToken(ctx, t.ID); err != nil {
			return model.Account{}, err
		}
	}
	return a, nil
}

// auditAccount records that account did action on object (the system's
// own entries; actions audit through env.audit with their Actor). summary says what
// changed, before and after, and must not hold phone numbers or message
// texts; any mobile number that slips in is masked anyway.
func (s *Staff) auditAccount(ctx context.Context, actor model.Account, action, object, summary string) error {
	summary = phoneInText.ReplaceAllStringFunc(summary, MaskPhone)
	return s.db.AddAudit(ctx, &model.AuditEntry{StaffID: actor.ID, StaffName: actor.DisplayName(),
		Action: action, Object: object, Summary: summary})
}

// EnsureAdmin creates the account "admin" with a generated password when
// no enabled admin exists (the first start), and returns that password
// for the operator; created is false when there was nothing to do. An
// existing disabled or demoted "admin" is restored with a new password.
func (s *Staff) EnsureAdmin(ctx context.Context) (password string, created bool, err error) {
	n, err := s.db.CountActiveAdmins(ctx)
	if err != nil || n > 0 {
		return "", false, err
	}
	existing, err := s.db.GetAccountByUsername(ctx, "admin")
	switch {
	case errors.Is(err, model.ErrNotFound):
		_, password, err = s.Create(ctx, NewAccount{Username: "admin", Name: "管理员", Role: model.RoleAdmin})
		var verr ValidationError
		if errors.As(err, &verr) {
			return "", false, nil // another instance created it first
		}
		if err != nil {
			return "", false, err
		}
	case err != nil:
		return "", false, err
	default:
		existing.Role, existing.Unit, existing.Disabled = model.RoleAdmin, "", false
		if err := s.db.UpdateAccount(ctx, existing); err != nil {
			return "", false, err
		}
		if password, err = s.resetPassword(ctx, existing.ID); err != nil {
			return "", false, err
		}
	}
	err = s.auditAccount(ctx, model.Account{Name: "系统"}, "staff.bootstrap", "staff/admin", "首次启动：创建管理员账号 admin（一次性密码已打印到服务日志）")
	return password, true, err
}

// passwordAlphabet leaves out look-alikes (0/O, 1/l/I) so a printed
// password can be typed.
const passwordAlphabet = "abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789"

// GeneratePassword returns a random 16-character password (about 93 bits).
func GeneratePassword() string {
	b := make([]byte, 16)
	for i := range b {
		n, err := rand.Int(rand.Reader, big.NewInt(int64(len(passwordAlphabet))))
		if err != nil {
			panic(err) // crypto/rand does not fail on supported platforms
		}
		b[i] = passwordAlphabet[n.Int64()]
	}
	return string(b)
}

// DeputyChanges summarises what an edit changed, for the audit log:
// 代表团：甲 → 乙；标签：…. A phone change is noted without the numbers.
func DeputyChanges(before, after model.Deputy) string {
	var parts []string
	diff := func(label, a, b string) {
		if a != b {
			parts = append(parts, fmt.Sprintf("%s：%s → %s", label, orNone(a), orNone(b)))
		}
	}
	diff("姓名", before.Name, after.Name)
	diff("性别", before.Gender, after.Gender)
	diff("民族", before.Ethnicity, after.Ethnicity)
	diff("出生日期", dateString(before.BirthDate), dateString(after.BirthDate))
	diff("代表团", before.Delegation, after.Delegation)
	diff("代表层级", LevelLabel(before.Level), LevelLabel(after.Level))
	diff("是否基层代表", yesNo(before.Grassroots), yesNo(after.Grassroots))
	diff("职业", before.Occupation, after.Occupation)
	diff("专业小组", before.ProfessionalGroup, after.ProfessionalGroup)
	if before.Phone != after.Phone {
		parts = append(parts, "手机号：已修改")
	}
	diff("标签", strings.Join(before.Tags, "、"), strings.Join(after.Tags, "、"))
	if len(parts) == 0 {
		return "无变化"
	}
	return strings.Join(parts, "；")
}

func orNone(s string) string {
	if s == "" {
		return "（空）"
	}
	return s
}

func dateString(t *time.Time) string {
	if t == nil {
		return ""
	}
	return t.Format(time.DateOnly)
}

// SessionAccount returns the account a console session belongs to, and
// false when the session must end: the account is gone or disabled, or
// its password changed since the session began (stamp is SessionStamp's at
// login).
func (s *Staff) SessionAccount(ctx context.Context, id int64, stamp string) (model.Account, bool, error) {
	a, err := s.db.GetAccount(ctx, id)
	if errors.Is(err, model.ErrNotFound) || (err == nil && (a.Disabled || SessionStamp(a) != stamp)) {
		return model.Account{}, false, nil
	}
	if err != nil {
		return model.Account{}, false, err
	}
	return a, true, nil
}
