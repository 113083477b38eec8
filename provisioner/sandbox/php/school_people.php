<?php
// The people of a school-shaped sandbox: students beyond what Moodle's test-site generator makes, and
// the Moodle-app tokens they would have. Run by the sandbox (`sandbox up --profile school`), never
// against a real site. Idempotent: existing students and tokens are kept, only what is missing is made.
//
//   php school_people.php --students=N --tokens=M      (MOODLE_PROVISIONER_CONFIG = the site's config.php)
//
// Prints one JSON object: {"users": ..., "students_created": ..., "tokens": ..., "tokens_created": ...}.

define('CLI_SCRIPT', true);
require(getenv('MOODLE_PROVISIONER_CONFIG'));
require_once($CFG->libdir . '/clilib.php');
require_once($CFG->dirroot . '/user/lib.php');

[$options] = cli_get_params(['students' => 0, 'tokens' => 0]);
$students = (int) $options['students'];
$tokens = (int) $options['tokens'];

// One hash for every student: hashing thousands of passwords would take minutes, and nobody logs in
// as these accounts (their password is random and never shown).
$passwordhash = hash_internal_user_password(random_string(20) . 'aA1!');
$existing = $DB->get_fieldset_select('user', 'username', $DB->sql_like('username', ':prefix'),
    ['prefix' => 'student%']);
$existing = array_flip($existing);
$created = 0;
$first = ['Ana', 'Ben', 'Carla', 'David', 'Elena', 'Farid', 'Grace', 'Hugo', 'Irene', 'Jonas', 'Kira', 'Luis'];
$last = ['García', 'Smith', 'Müller', 'Rossi', 'Dubois', 'Silva', 'Novak', 'Kowalski', 'Jensen', 'Öztürk'];
$transaction = $DB->start_delegated_transaction();  // one commit, not thousands
for ($i = 1; $i <= $students; $i++) {
    $username = sprintf('student%05d', $i);
    if (isset($existing[$username])) {
        continue;
    }
    user_create_user((object) [
        'username' => $username,
        'password' => $passwordhash,
        'auth' => 'manual',
        'confirmed' => 1,
        'mnethostid' => $CFG->mnet_localhost_id,
        'firstname' => $first[$i % count($first)],
        'lastname' => $last[intdiv($i, count($first)) % count($last)] . " $i",
        'email' => "$username@school.example.invalid",
        'idnumber' => "S$i",
    ], false, false);
    $created++;
}
$transaction->allow_commit();

// Moodle-app tokens, minted the way the app's login (login/token.php) mints them: by Moodle's own
// function, as the user, on the official mobile service. Neither web services nor the mobile service
// are enabled for it: the site's web-service settings stay at their defaults.
$service = $DB->get_record('external_services', ['shortname' => 'moodle_mobile_app'], '*', MUST_EXIST);
$mint = class_exists('\core_external\util')
    ? fn($service) => \core_external\util::generate_token_for_current_user($service)
    : function ($service) {
        global $CFG;
        require_once($CFG->libdir . '/externallib.php');  // 4.1: before core_external
        return external_generate_token_for_current_user($service);
    };
$holders = $DB->get_fieldset_sql("SELECT DISTINCT userid FROM {external_tokens} WHERE externalserviceid = ?",
    [$service->id]);
$missing = $tokens - count($holders);
$tokenscreated = 0;
if ($missing > 0) {
    $excluded = array_merge($holders, explode(',', $CFG->siteadmins), [$CFG->siteguest]);  // students only
    [$notin, $params] = $DB->get_in_or_equal($excluded, SQL_PARAMS_NAMED, 'u', false);
    $candidates = $DB->get_records_select('user',
        "deleted = 0 AND suspended = 0 AND confirmed = 1 AND auth = 'manual' AND id $notin",
        $params, 'id', '*', 0, $missing);
    foreach ($candidates as $user) {
        \core\session\manager::set_user($user);
        $mint($service);
        $tokenscreated++;
    }
    \core\session\manager::set_user(get_admin());
}

echo json_encode([
    'users' => $DB->count_records('user', ['deleted' => 0]),
    'students_created' => $created,
    'tokens' => $DB->count_records('external_tokens', ['externalserviceid' => $service->id]),
    'tokens_created' => $tokenscreated,
    'courses' => $DB->count_records_select('course', 'id <> :site', ['site' => SITEID]),
]), "\n";
