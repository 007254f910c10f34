import {Component, type ReactNode} from 'react';
import {errorLine} from '../shared/errors.js';
import {hue} from './colors.js';
import {Text} from './ink.js';

export const reportUrl = 'https://github.com/layerlens/layerlens/issues';

type Props = {children: ReactNode; onCrash: (error: Error) => void};
type State = {error: Error | undefined};

/** A bug in the UI must not leave the terminal in raw mode: report it and let the caller exit. */
export class ErrorBoundary extends Component<Props, State> {
	override state: State = {error: undefined};

	static getDerivedStateFromError(error: Error): State {
		return {error};
	}

	override componentDidCatch(error: Error): void {
		this.props.onCrash(error);
	}

	override render(): ReactNode {
		if (this.state.error) {
			return <Text color={hue('red')}>{errorLine(`layerlens crashed: ${this.state.error.message}`)}</Text>;
		}

		return this.props.children;
	}
}
